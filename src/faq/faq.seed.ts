import { type INestApplicationContext } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqCategory } from './faq-category.entity';
import { FaqDocumentsService } from './faq-documents.service';
import { FaqEmbeddingsService } from './faq-embeddings.service';

export interface FaqSeedCategory {
  name: string;
  slug: string;
  position: number;
}

export interface FaqSeedDocument {
  categorySlug: string;
  question: string;
  answer: string;
  tags: string[];
}

export interface FaqSeedSet {
  categories: FaqSeedCategory[];
  documents: FaqSeedDocument[];
}

// Demo content, written as a real help centre would word it; the search tests ask paraphrased questions against it.
export const FAQ_SEED: Record<'bestays' | 'realestate', FaqSeedSet> = {
  bestays: {
    categories: [
      { name: 'Booking', slug: 'booking', position: 0 },
      { name: 'Payments and deposits', slug: 'payments', position: 1 },
      { name: 'Cancellations and changes', slug: 'cancellations', position: 2 },
      { name: 'Check-in and your stay', slug: 'your-stay', position: 3 },
      { name: 'House rules', slug: 'house-rules', position: 4 },
    ],
    documents: [
      {
        categorySlug: 'booking',
        question: 'How do I book a holiday rental?',
        answer:
          'Search by destination and travel dates, choose a property and select the number of guests, then click "Book now" and pay securely online. ' +
          'You will receive a booking confirmation by email with the address and the host\'s contact details. ' +
          'All your reservations are listed under "My trips" in your account.',
        tags: ['booking', 'reservation', 'how to book'],
      },
      {
        categorySlug: 'booking',
        question: 'Is my booking confirmed straight away?',
        answer:
          'Properties marked "Instant book" are confirmed as soon as your payment goes through. ' +
          'For other properties you send a booking request and the host has 24 hours to accept or decline it. ' +
          'Your card is only charged once the host accepts, and you are notified by email either way.',
        tags: ['confirmation', 'instant book', 'booking request', 'host approval'],
      },
      {
        categorySlug: 'booking',
        question: 'Is there a minimum stay?',
        answer:
          'Each host sets a minimum number of nights, usually between 2 and 7, and it is shown on the property page before you book. ' +
          'In high season many holiday homes only accept week-long stays with a Saturday changeover. ' +
          'Shorter stays are often possible at the last minute, so it is worth asking the host.',
        tags: ['minimum stay', 'nights', 'short stay', 'changeover day'],
      },
      {
        categorySlug: 'booking',
        question: 'Can I book a rental on behalf of someone else?',
        answer:
          'Yes. You can make the booking and pay for it, and add the name of the lead guest who will actually stay. ' +
          'The lead guest must be at least 18 years old and will need to show ID at check-in. ' +
          'Make sure they receive the booking confirmation and the arrival instructions.',
        tags: ['book for others', 'lead guest', 'gift', 'family'],
      },
      {
        categorySlug: 'booking',
        question: 'How many guests can stay in a property?',
        answer:
          'The maximum occupancy is shown on every listing and includes children; babies under two usually do not count. ' +
          'Bringing more people than the listing allows breaks the rental agreement and the host may refuse entry. ' +
          'If you need extra beds or a sofa bed for more people, ask the host before you book.',
        tags: ['guests', 'occupancy', 'capacity', 'people', 'beds'],
      },
      {
        categorySlug: 'payments',
        question: 'Which payment methods do you accept?',
        answer:
          'We accept Visa, Mastercard and American Express credit and debit cards, as well as PayPal, Apple Pay and Google Pay. ' +
          'For bookings made more than eight weeks before arrival you can also pay by bank transfer. ' +
          'We never ask you to pay a host in cash or by wire transfer outside our platform.',
        tags: ['payment methods', 'credit card', 'paypal', 'bank transfer'],
      },
      {
        categorySlug: 'payments',
        question: 'When do I have to pay for my booking?',
        answer:
          'You pay 30% of the total when you book and the remaining balance is charged automatically six weeks before arrival. ' +
          'If you book less than six weeks before your stay, the full amount is paid upfront. ' +
          'You can see the payment schedule in your booking details at any time.',
        tags: ['payment schedule', 'balance', 'instalments', 'pay upfront'],
      },
      {
        categorySlug: 'payments',
        question: 'What is the security deposit and when do I get it back?',
        answer:
          'Many hosts ask for a refundable security (damage) deposit, which is pre-authorised on your card a few days before arrival. ' +
          'If nothing is damaged or missing, the hold is released within 7 days after check-out. ' +
          'If the host reports damage, we show you the evidence before any amount is deducted.',
        tags: ['security deposit', 'damage deposit', 'refund', 'pre-authorisation'],
      },
      {
        categorySlug: 'payments',
        question: 'Are there any extra fees on top of the nightly price?',
        answer:
          'The total you see before paying includes the nightly rate, the cleaning fee and our service fee, so there are no hidden costs. ' +
          'Some properties charge optional extras such as firewood, pool heating or late check-out, which are listed on the property page. ' +
          'Local tourist tax may be added on top where the law requires it.',
        tags: ['fees', 'cleaning fee', 'service fee', 'extras', 'hidden costs'],
      },
      {
        categorySlug: 'payments',
        question: 'Do I have to pay tourist tax?',
        answer:
          'Many towns charge a tourist tax (also called city tax) per adult per night. ' +
          'Where we can collect it, it is included in your total at booking; otherwise the host collects it on arrival. ' +
          'The amount is set by the local authority and is shown on the listing.',
        tags: ['tourist tax', 'city tax', 'local tax'],
      },
      {
        categorySlug: 'payments',
        question: 'In which currency will I be charged?',
        answer:
          'You are charged in the currency shown on the property listing, usually the local currency of the destination. ' +
          'If your card is in another currency, your bank converts the amount and may add a foreign transaction fee. ' +
          'Prices shown in your own currency are an estimate based on the current exchange rate.',
        tags: ['currency', 'exchange rate', 'foreign transaction fee'],
      },
      {
        categorySlug: 'cancellations',
        question: 'How do I cancel my booking?',
        answer:
          'Go to "My trips", open the booking and choose "Cancel booking". ' +
          'You will see how much will be refunded under the property\'s cancellation policy before you confirm. ' +
          'A cancellation confirmation is sent to you and the host by email.',
        tags: ['cancel', 'cancellation', 'my trips'],
      },
      {
        categorySlug: 'cancellations',
        question: 'How much will I get refunded if I cancel?',
        answer:
          'It depends on the cancellation policy shown on the listing. With a Flexible policy you get a full refund up to 14 days before arrival; ' +
          'with Moderate, 50% up to 30 days before; with Strict, the deposit is non-refundable. ' +
          'Refunds go back to the original payment method within 5 to 10 working days.',
        tags: ['refund', 'cancellation policy', 'money back'],
      },
      {
        categorySlug: 'cancellations',
        question: 'Can I change the dates of my booking?',
        answer:
          'Yes, you can request a date change from "My trips"; the host has to accept it and the new dates must be available. ' +
          'If the new stay costs more you pay the difference, and if it costs less the difference is refunded. ' +
          'Changing the number of guests works the same way.',
        tags: ['change dates', 'modify booking', 'amend', 'reschedule'],
      },
      {
        categorySlug: 'cancellations',
        question: 'What happens if the host cancels my booking?',
        answer:
          'If a host cancels, you receive a full refund of everything you paid, including the service fee. ' +
          'Our support team will also help you find a similar property for the same dates. ' +
          'Hosts who cancel confirmed bookings are penalised and can be removed from the platform.',
        tags: ['host cancellation', 'owner cancelled', 'rebooking', 'full refund'],
      },
      {
        categorySlug: 'cancellations',
        question: 'Do I need travel insurance?',
        answer:
          'We strongly recommend travel insurance that covers cancellation, illness, lost luggage and travel delays. ' +
          'A cancellation policy only refunds part of your stay, while insurance can cover the rest if you cannot travel. ' +
          'Buy it as soon as you book so you are covered from day one.',
        tags: ['travel insurance', 'insurance', 'cover'],
      },
      {
        categorySlug: 'your-stay',
        question: 'What time are check-in and check-out?',
        answer:
          'Check-in is usually from 4 pm and check-out by 10 am on the day you leave; the exact times are on your booking confirmation. ' +
          'Early check-in or late check-out can sometimes be arranged with the host, depending on other bookings. ' +
          'Please let the host know your expected arrival time a few days before.',
        tags: ['check-in time', 'check-out time', 'arrival', 'departure', 'early check-in', 'late check-out'],
      },
      {
        categorySlug: 'your-stay',
        question: 'How do I get the keys?',
        answer:
          'Most properties have self check-in with a key safe (lockbox) or smart lock; the code is sent to you 48 hours before arrival. ' +
          'Other hosts meet you at the property to hand over the keys and show you around. ' +
          'The arrival instructions in your booking explain which applies and where to collect the keys.',
        tags: ['keys', 'key safe', 'lockbox', 'self check-in', 'key collection'],
      },
      {
        categorySlug: 'your-stay',
        question: 'What if I arrive late at night?',
        answer:
          'Late arrival is no problem at properties with self check-in, because you can let yourself in at any time. ' +
          'If the host hands over the keys in person, tell them your arrival time in advance; some charge a small fee for arrivals after 10 pm. ' +
          'If your flight or train is delayed, message the host as soon as you can.',
        tags: ['late arrival', 'arriving late', 'night', 'delayed flight'],
      },
      {
        categorySlug: 'your-stay',
        question: 'Is there Wi-Fi at the property?',
        answer:
          'Most of our properties offer free Wi-Fi; check the amenities list on the listing to be sure. ' +
          'The network name and password are in the welcome book or the arrival instructions. ' +
          'In remote countryside homes the internet connection can be slower than you are used to.',
        tags: ['wifi', 'internet', 'wireless', 'amenities'],
      },
      {
        categorySlug: 'your-stay',
        question: 'Are bed linen and towels provided?',
        answer:
          'Yes, bed linen and bath towels are included in every booking and the beds are made up when you arrive. ' +
          'Beach and pool towels are not always provided, so check the amenities list or bring your own. ' +
          'For stays longer than a week, fresh linen can be arranged with the host.',
        tags: ['bed linen', 'sheets', 'towels', 'amenities'],
      },
      {
        categorySlug: 'your-stay',
        question: 'Who do I contact if something breaks during my stay?',
        answer:
          'Contact your host first through the app or by phone; their details are in your booking confirmation. ' +
          'For urgent problems such as no hot water, a broken boiler, a leak or a lockout, our 24-hour support line can send help if the host cannot be reached. ' +
          'Please report any damage you cause as soon as possible.',
        tags: ['repairs', 'problem', 'broken', 'maintenance', 'emergency', 'support'],
      },
      {
        categorySlug: 'house-rules',
        question: 'Are pets allowed?',
        answer:
          'Pets are welcome in properties marked "Pet friendly"; use the pet-friendly filter when you search. ' +
          'Let the host know when you book what kind of animal you are bringing, for example a dog or a cat, and how many. ' +
          'Some hosts charge a pet fee for the extra cleaning, and pets should not be left alone in the property.',
        tags: ['pets', 'dogs', 'cats', 'animals', 'pet friendly'],
      },
      {
        categorySlug: 'house-rules',
        question: 'Is cleaning included?',
        answer:
          'Yes, a professional end-of-stay clean is covered by the cleaning fee shown in your total. ' +
          'We ask you to leave the property tidy: wash the dishes, take out the rubbish and strip the beds if the host asks. ' +
          'Mid-stay cleaning can be booked as an extra for longer stays.',
        tags: ['cleaning', 'cleaning fee', 'final clean', 'housekeeping'],
      },
      {
        categorySlug: 'house-rules',
        question: 'Can I smoke in the property?',
        answer:
          'Smoking, including e-cigarettes, is not allowed inside any of our properties. ' +
          'Some hosts allow smoking outside on a terrace, balcony or in the garden; check the house rules on the listing. ' +
          'Hosts may keep part of the security deposit if the property smells of smoke.',
        tags: ['smoking', 'no smoking', 'cigarettes', 'vaping'],
      },
      {
        categorySlug: 'house-rules',
        question: 'Are parties or events allowed?',
        answer:
          'Parties and events are not allowed unless the host has agreed to them in writing. ' +
          'Quiet hours are from 10 pm to 8 am out of respect for the neighbours. ' +
          'Breaking this rule can lead to immediate eviction without a refund.',
        tags: ['parties', 'events', 'celebrations', 'noise', 'quiet hours'],
      },
      {
        categorySlug: 'house-rules',
        question: 'Is parking available?',
        answer:
          'Parking is listed in each property\'s amenities: private driveway, garage, free street parking or a paid car park nearby. ' +
          'City-centre apartments often have no parking of their own, so the host will suggest the nearest public car park. ' +
          'Some properties also have a charging point for electric cars.',
        tags: ['parking', 'car', 'garage', 'electric car charging'],
      },
      {
        categorySlug: 'house-rules',
        question: 'Are your properties suitable for children?',
        answer:
          'Many of our homes are family friendly; use the "Family friendly" filter when you search. ' +
          'Cots, high chairs and stair gates are available on request at many properties, often free of charge. ' +
          'Please note that pools are not always fenced, so children must be supervised at all times.',
        tags: ['children', 'kids', 'family', 'baby', 'cot', 'high chair'],
      },
    ],
  },
  realestate: {
    categories: [
      { name: 'Buying a home', slug: 'buying', position: 0 },
      { name: 'Mortgages and finance', slug: 'mortgages', position: 1 },
      { name: 'Viewings and offers', slug: 'viewings-offers', position: 2 },
      { name: 'Selling your home', slug: 'selling', position: 3 },
      { name: 'Legal and conveyancing', slug: 'legal', position: 4 },
    ],
    documents: [
      {
        categorySlug: 'buying',
        question: 'How do I start looking for a home to buy?',
        answer:
          'Start by working out your budget and getting a mortgage in principle, so you know what you can afford. ' +
          'Then register with us, save your search and turn on property alerts for the areas you like. ' +
          'Our agents can also tell you about homes before they are advertised online.',
        tags: ['house hunting', 'property search', 'first steps', 'alerts'],
      },
      {
        categorySlug: 'buying',
        question: 'What costs are there when buying a home besides the price?',
        answer:
          'On top of the purchase price, budget for stamp duty (or land transfer tax), solicitor or conveyancing fees, a survey and mortgage arrangement fees. ' +
          'You may also need to pay for searches, removals and buildings insurance from exchange of contracts. ' +
          'As a rule of thumb, allow 2 to 5% of the price for these additional costs.',
        tags: ['buying costs', 'fees', 'additional costs', 'budget'],
      },
      {
        categorySlug: 'buying',
        question: 'What is stamp duty and how much will I pay?',
        answer:
          'Stamp duty land tax is a tax you pay when you buy a property above a certain price, charged in bands on the portion of the price within each band. ' +
          'First-time buyers pay less or none on cheaper homes, while buyers of second homes pay a surcharge. ' +
          'Your solicitor pays it on your behalf after completion, and our online calculator gives you an estimate.',
        tags: ['stamp duty', 'property tax', 'land transfer tax', 'SDLT'],
      },
      {
        categorySlug: 'buying',
        question: 'What does "chain-free" mean?',
        answer:
          'A property chain is a sequence of linked sales where each buyer depends on selling their own home first. ' +
          'A chain-free property has no onward chain: the seller does not need to buy another home before moving out, for example because the home is empty or inherited. ' +
          'Chain-free purchases are usually quicker and less likely to fall through.',
        tags: ['chain', 'chain-free', 'no onward chain', 'property chain'],
      },
      {
        categorySlug: 'buying',
        question: 'Can I buy my first home with a small deposit?',
        answer:
          'Yes. Many lenders offer 95% mortgages to first-time buyers, so a 5% deposit can be enough. ' +
          'Government schemes such as shared ownership or a Lifetime ISA bonus can also help you save and buy sooner. ' +
          'Our mortgage partners can explain which schemes you qualify for.',
        tags: ['first-time buyer', 'small deposit', '5% deposit', 'shared ownership'],
      },
      {
        categorySlug: 'mortgages',
        question: 'How much can I borrow for a mortgage?',
        answer:
          'Most lenders will lend around four to four and a half times your annual income, or your combined income if you buy with someone else. ' +
          'They also look at your outgoings, debts and credit history in an affordability assessment. ' +
          'Use our mortgage calculator for an estimate, or speak to an adviser for a precise figure.',
        tags: ['borrowing', 'affordability', 'income', 'salary', 'mortgage calculator'],
      },
      {
        categorySlug: 'mortgages',
        question: 'What is a mortgage in principle?',
        answer:
          'A mortgage in principle, also called an agreement or decision in principle, is a lender\'s statement of how much it would be willing to lend you. ' +
          'It usually takes 15 minutes online and uses a soft credit check that does not affect your credit score. ' +
          'Sellers and agents take your offer more seriously when you have one.',
        tags: ['mortgage in principle', 'agreement in principle', 'decision in principle', 'AIP'],
      },
      {
        categorySlug: 'mortgages',
        question: 'How big a deposit do I need?',
        answer:
          'You normally need a deposit of at least 5 to 10% of the purchase price. ' +
          'The bigger your deposit, the lower your loan-to-value (LTV), and the better the mortgage interest rates you will be offered. ' +
          'Buy-to-let mortgages usually require a deposit of 25% or more.',
        tags: ['deposit', 'loan to value', 'LTV', 'savings'],
      },
      {
        categorySlug: 'mortgages',
        question: 'Should I choose a fixed-rate or a variable-rate mortgage?',
        answer:
          'A fixed-rate mortgage keeps your interest rate and monthly payments the same for a set period, typically two to five years, which makes budgeting easy. ' +
          'A variable or tracker mortgage follows the lender\'s or the central bank\'s rate, so payments can go down as well as up. ' +
          'An adviser can compare both for your circumstances.',
        tags: ['fixed rate', 'variable rate', 'tracker', 'interest rates'],
      },
      {
        categorySlug: 'mortgages',
        question: 'Do you offer mortgage advice?',
        answer:
          'Yes. Our partner mortgage brokers offer a free, no-obligation consultation in our branches, by phone or by video call. ' +
          'They compare deals from a wide range of lenders and handle the application for you. ' +
          'Book an appointment with an adviser from any property page.',
        tags: ['mortgage adviser', 'mortgage broker', 'advice', 'consultation'],
      },
      {
        categorySlug: 'viewings-offers',
        question: 'How do I book a viewing?',
        answer:
          'To visit a house or flat, click "Book a viewing" on the property page and pick a time that suits you, or call the branch that markets it. ' +
          'An agent confirms the appointment and usually accompanies you around the property. ' +
          'Many homes can also be seen first through a video tour or a virtual viewing.',
        tags: ['viewing', 'appointment', 'visit', 'virtual tour'],
      },
      {
        categorySlug: 'viewings-offers',
        question: 'What should I look out for at a viewing?',
        answer:
          'Check for signs of damp, mould and cracks, test the water pressure and ask how old the boiler, roof and windows are. ' +
          'Look at the storage, the light and the phone signal, and visit the area at different times of day. ' +
          'It is a good idea to view a home at least twice before making an offer.',
        tags: ['viewing checklist', 'inspection', 'damp', 'what to check'],
      },
      {
        categorySlug: 'viewings-offers',
        question: 'How do I make an offer on a property?',
        answer:
          'Tell the agent the amount you would like to offer; we pass every offer to the seller, in writing, as quickly as possible. ' +
          'Include your position: whether you are a cash buyer, have a mortgage in principle and have a home to sell. ' +
          'The seller may accept, reject or come back with a counter-offer.',
        tags: ['offer', 'making an offer', 'bid', 'counter-offer'],
      },
      {
        categorySlug: 'viewings-offers',
        question: 'What happens after my offer is accepted?',
        answer:
          'The property is marked "sale agreed" or "under offer" and we send a memorandum of sale to both solicitors. ' +
          'You then instruct a conveyancer, apply for your mortgage and book a survey. ' +
          'Nothing is legally binding until contracts are exchanged, which usually takes 8 to 12 weeks.',
        tags: ['offer accepted', 'sale agreed', 'under offer', 'next steps'],
      },
      {
        categorySlug: 'viewings-offers',
        question: 'What is gazumping?',
        answer:
          'Gazumping is when a seller accepts a higher offer from another buyer after already accepting yours, before contracts are exchanged. ' +
          'It is legal in England because an accepted offer is not binding. ' +
          'You can reduce the risk by moving quickly, or by asking the seller to take the property off the market or sign a lock-out agreement.',
        tags: ['gazumping', 'higher offer', 'outbid', 'lock-out agreement'],
      },
      {
        categorySlug: 'viewings-offers',
        question: 'Can I negotiate on the asking price?',
        answer:
          'Yes, the asking price is where negotiation starts, and many homes sell for a little less. ' +
          'Base your offer on the sale prices of similar homes nearby, the condition of the property and how long it has been on the market. ' +
          'A buyer who is ready to proceed quickly is in a stronger position to offer below the asking price.',
        tags: ['negotiation', 'asking price', 'lower offer', 'below asking'],
      },
      {
        categorySlug: 'selling',
        question: 'How much is my home worth?',
        answer:
          'Book a free, no-obligation valuation and a local agent will visit your home and give you a valuation within 24 hours. ' +
          'We base it on recent sale prices of similar properties, current demand in your area and your home\'s condition and features. ' +
          'An instant online estimate is also available, but it cannot see your home\'s improvements.',
        tags: ['valuation', 'house price', 'property value', 'appraisal'],
      },
      {
        categorySlug: 'selling',
        question: 'What are your fees for selling a home?',
        answer:
          'Our selling fee is a commission of 1.2% of the final sale price plus VAT, on a no sale, no fee basis. ' +
          'It covers professional photos, floor plans, online advertising, accompanied viewings and negotiating the sale. ' +
          'There are no upfront costs and no fees if you withdraw before a sale is agreed.',
        tags: ['estate agent fees', 'commission', 'selling costs', 'no sale no fee'],
      },
      {
        categorySlug: 'selling',
        question: 'How do I prepare my home for sale?',
        answer:
          'Declutter, deep clean and fix small repairs such as dripping taps and chipped paint before the photos are taken. ' +
          'Neutral decoration, a tidy garden and a well-presented front door help buyers picture themselves living there. ' +
          'Have your paperwork ready, such as certificates for building work and your energy certificate.',
        tags: ['preparing to sell', 'home staging', 'presentation', 'declutter'],
      },
      {
        categorySlug: 'selling',
        question: 'How long does it take to sell a house?',
        answer:
          'Most homes find a buyer within 4 to 10 weeks of going on the market, depending on price and demand. ' +
          'From accepted offer to completion usually takes another 3 to 4 months while the legal work is done. ' +
          'Pricing realistically from the start is the best way to sell quickly.',
        tags: ['selling time', 'timescale', 'how long', 'time to sell'],
      },
      {
        categorySlug: 'selling',
        question: 'Do I need an Energy Performance Certificate?',
        answer:
          'Yes, an Energy Performance Certificate (EPC) is required by law before your home can be marketed for sale or rent. ' +
          'It rates the home\'s energy efficiency from A to G and is valid for 10 years. ' +
          'If you do not have a valid EPC we can arrange an assessor visit for you.',
        tags: ['EPC', 'energy certificate', 'energy rating', 'legal requirement'],
      },
      {
        categorySlug: 'legal',
        question: 'What is conveyancing?',
        answer:
          'Conveyancing is the legal work of transferring ownership of a property from the seller to the buyer. ' +
          'Your solicitor or licensed conveyancer checks the title, carries out searches, handles the contracts and transfers the money. ' +
          'You need one whether you are buying or selling, and it is best to instruct them as soon as an offer is accepted.',
        tags: ['conveyancing', 'solicitor', 'conveyancer', 'legal work'],
      },
      {
        categorySlug: 'legal',
        question: 'Which type of survey do I need?',
        answer:
          'A mortgage valuation only protects the lender, so most buyers also commission their own survey. ' +
          'A Level 2 HomeBuyer Report suits conventional homes in reasonable condition, while a Level 3 full building (structural) survey is recommended for older, larger or unusual properties. ' +
          'The surveyor reports defects such as subsidence, damp or roof problems before you commit.',
        tags: ['survey', 'homebuyer report', 'building survey', 'structural survey', 'surveyor'],
      },
      {
        categorySlug: 'legal',
        question: 'What is the difference between exchange of contracts and completion?',
        answer:
          'At exchange of contracts the sale becomes legally binding, the completion date is fixed and the buyer pays a deposit, usually 10%. ' +
          'Completion is the day the remaining money is transferred and ownership passes to the buyer. ' +
          'There are often one to four weeks between the two.',
        tags: ['exchange', 'completion', 'exchange of contracts', 'completion date'],
      },
      {
        categorySlug: 'legal',
        question: 'What are property searches?',
        answer:
          'Searches are enquiries your conveyancer makes with the local authority and other bodies about the property and the area around it. ' +
          'They reveal planning decisions, new roads, flood risk, drainage and water connections and environmental issues. ' +
          'Mortgage lenders require them, and they typically take two to six weeks.',
        tags: ['local authority searches', 'searches', 'planning', 'flood risk'],
      },
      {
        categorySlug: 'legal',
        question: 'What is the difference between freehold and leasehold?',
        answer:
          'With a freehold you own the building and the land it stands on outright, with no end date. ' +
          'With a leasehold, common for flats, you own the right to live in the property for the length of the lease, while the freeholder owns the building. ' +
          'Leaseholders usually pay ground rent and a service charge, and a lease under 80 years can be harder to mortgage.',
        tags: ['freehold', 'leasehold', 'lease', 'ground rent', 'service charge', 'flats'],
      },
      {
        categorySlug: 'legal',
        question: 'When do I get the keys to my new home?',
        answer:
          'You get the keys on completion day, once the seller\'s solicitor confirms that the money has arrived, usually around midday. ' +
          'The keys are normally left with our branch for you to collect, so you can move in the same day. ' +
          'Book your removal company only once a completion date is fixed at exchange.',
        tags: ['keys', 'completion day', 'moving in', 'move-in date'],
      },
    ],
  },
};

/**
 * Creates the product's demo FAQ through the services (scoped, validated, embedded and audited like
 * the API). Idempotent: existing slugs and questions are skipped; returns how many documents it created.
 * The caller provides the tenant context; the work gets its own EntityManager context.
 */
export async function seedFaq(app: INestApplicationContext, product: string): Promise<number> {
  const set = (FAQ_SEED as Record<string, FaqSeedSet | undefined>)[product];
  if (!set) {
    return 0;
  }
  return RequestContext.create(app.get(MikroORM).em, () => seed(app, set));
}

async function seed(app: INestApplicationContext, set: FaqSeedSet): Promise<number> {
  const categories = app.get(FaqCategoriesService, { strict: false });
  const documents = app.get(FaqDocumentsService, { strict: false });
  const embeddings = app.get(FaqEmbeddingsService, { strict: false });

  const bySlug = new Map<string, FaqCategory>();
  for (const seed of set.categories) {
    bySlug.set(seed.slug, (await categories.findBySlug(seed.slug)) ?? (await categories.create(seed)));
  }
  const existing = await documents.existingQuestions(set.documents.map((seed) => seed.question));
  let created = 0;
  for (const seed of set.documents) {
    if (existing.has(seed.question)) {
      continue;
    }
    const category = bySlug.get(seed.categorySlug);
    if (!category) {
      throw new Error(`FAQ seed: document "${seed.question}" names unknown category "${seed.categorySlug}"`);
    }
    await documents.create({ categoryId: category.id, question: seed.question, answer: seed.answer, tags: seed.tags, status: 'published' });
    created++;
  }
  // Documents seeded while an embeddings endpoint was down (or under another model) catch up here.
  await embeddings.refreshStale();
  return created;
}
