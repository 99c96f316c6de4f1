import { type INestApplicationContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { User } from '../users/user.entity';
import { CreatePropertyBody } from './properties.dto';
import { PropertiesService } from './properties.service';

// [title, address, price in major units, currency, bedrooms, bathrooms, description, published?]
type Listing = [string, string, number, string, number, number, string, boolean?];

// Holiday rentals, priced per night.
const BESTAYS: Listing[] = [
  ['Clifftop Villa with Infinity Pool', 'Oia, Santorini 847 02, Greece', 450, 'EUR', 4, 4, 'Sunset views over the caldera from every room, a heated infinity pool and a shaded terrace for long dinners. Price per night.'],
  ['Whitewashed Cycladic House near the Beach', 'Naoussa, Paros 844 01, Greece', 220, 'EUR', 3, 2, 'A classic island house five minutes on foot from Piperi beach and the harbour tavernas. Price per night.'],
  ['Seafront Apartment on the Promenade', '45 Promenade des Anglais, 06000 Nice, France', 185, 'EUR', 2, 1, 'Bright apartment with a balcony over the Baie des Anges; the old town and the flower market are a short walk away. Price per night.'],
  ['Stone Cottage in the Olive Groves', 'Kardamyli, Messinia 240 22, Greece', 140, 'EUR', 2, 1, 'A restored stone cottage among olive trees, with a sea-view garden and a pebble cove below. Price per night.'],
  ['Beach House with Private Dock', 'Rua do Mar 8, 2750-310 Cascais, Portugal', 320, 'EUR', 4, 3, 'Step from the garden onto the dock; kayaks and paddle boards included. Lisbon is 40 minutes by train. Price per night.'],
  ['Log Cabin by the Lake', 'Cesta svobode 20, 4260 Bled, Slovenia', 160, 'EUR', 3, 2, 'Wood-fired stove, lake views and forest trails from the door. Ideal for families and hikers. Price per night.'],
  ['Alpine Chalet with Sauna', 'Riedweg 15, 3920 Zermatt, Switzerland', 690, 'CHF', 5, 4, 'Ski-in chalet facing the Matterhorn, with a private sauna, boot room and fireplace lounge. Price per night.'],
  ["Fisherman's Loft in the Old Harbour", 'Grisia 12, 52210 Rovinj, Croatia', 130, 'EUR', 1, 1, 'A cosy loft above the harbour with exposed beams; swim from the rocks two minutes away. Price per night.'],
  ['Sea-view Studio Steps from the Sand', 'Paseo de la Concha 6, 20007 San Sebastián, Spain', 150, 'EUR', 1, 1, 'Compact studio overlooking La Concha bay, close to the pintxos bars of the old town. Price per night.'],
  ['Family Villa with Garden and Pool', 'Rua da Praia 3, 8600-315 Lagos, Portugal', 380, 'EUR', 5, 3, 'Fenced garden, shallow pool end for children and a barbecue area; the beaches of Lagos are a short drive. Price per night.'],
  ['Treehouse Cabin in the Forest', 'Tonbachstraße 40, 72270 Baiersbronn, Germany', 175, 'EUR', 1, 1, 'A cabin eight metres up in the Black Forest canopy, with a hammock deck and outdoor shower. Price per night.'],
  ['Clifftop Cottage over the Atlantic', '4 Porthmeor Road, St Ives TR26 1JS, United Kingdom', 210, 'GBP', 3, 2, 'Whitewashed cottage above Porthmeor beach, with surf boards to borrow and galleries nearby. Price per night.'],
  ['Modern Penthouse with Roof Terrace', 'Via Roma 12, 16034 Portofino, Italy', 540, 'EUR', 3, 3, 'Designer penthouse with a private roof terrace over the harbour and a hot tub. Price per night.', false],
  ['Trullo with Pool in the Countryside', 'Contrada Popoleto, 70011 Alberobello, Italy', 260, 'EUR', 3, 2, 'A traditional cone-roofed trullo with a saltwater pool, surrounded by almond trees. Price per night.'],
  ['Beachfront Bungalow', '99 Moo 1, Bophut, Koh Samui 84320, Thailand', 6500, 'THB', 2, 1, 'Wake up to the sea: a thatched bungalow directly on Bophut beach, with breakfast served on the deck. Price per night.'],
  ['Lakeside Cabin with Canoe', '1050 Lakeshore Road, Port Carling, ON P0B 1J0, Canada', 295, 'CAD', 3, 1, 'Quiet bay, private dock, canoe and fire pit. Starry nights guaranteed. Price per night.'],
  ['Surf Shack near the Point', 'Rua do Ribamar 14, 2655-320 Ericeira, Portugal', 95, 'EUR', 1, 1, 'Simple and sunny, two minutes from Ribeira d’Ilhas. Board storage and outdoor shower. Price per night.'],
  ['Historic Townhouse in the Old Town', 'Od Puča 7, 20000 Dubrovnik, Croatia', 310, 'EUR', 3, 2, 'A 17th-century stone townhouse inside the city walls, restored with a roof terrace over the Stradun. Price per night.'],
  ['Overwater Villa', 'North Malé Atoll, Maldives', 980, 'USD', 2, 2, 'Glass-floored villa over the lagoon with a private plunge pool and steps into the reef. Price per night.', false],
  ['Fjord-side Cabin with Hot Tub', 'Geirangervegen 110, 6216 Geiranger, Norway', 2400, 'NOK', 3, 1, 'Turf-roofed cabin on the water’s edge; watch the waterfalls from the wood-fired hot tub. Price per night.'],
  ['Dune House by the North Sea', 'Dünenweg 21, 25980 Sylt, Germany', 260, 'EUR', 3, 2, 'Thatched dune house with a sheltered garden, bikes included, and the beach over the next dune. Price per night.'],
  ['Harbour-view Apartment', '18 Triq il-Merkanti, Valletta VLT 1175, Malta', 140, 'EUR', 2, 1, 'Traditional Maltese balcony over the Grand Harbour, in the heart of the capital. Price per night.'],
  ['Mountain Hut for Hikers', 'Strada Col da Lech 5, 39048 Selva di Val Gardena, Italy', 120, 'EUR', 2, 1, 'A simple larch hut at the trailhead of the Sella circuit, with a wood stove and mountain views. Price per night.'],
  ['Villa with Vineyard Views', 'Strada di Lamole 9, 50022 Greve in Chianti, Italy', 420, 'EUR', 5, 4, 'A restored farmhouse among vineyards, with a pool, pizza oven and wine tastings next door. Price per night.'],
  ['Cosy Cabin near the Ski Lifts', '112 Route des Praz, 74400 Chamonix, France', 230, 'EUR', 2, 1, 'Wooden cabin a short walk from the Flégère lift, with a drying room and fireplace. Price per night.'],
  ['Island Cottage with Private Beach', 'Uvala Zaraće, 21450 Hvar, Croatia', 280, 'EUR', 3, 2, 'A stone cottage in a secluded bay reachable by boat or a dirt road; solar powered and blissfully quiet. Price per night.'],
  ['Riad with Rooftop Pool', 'Derb Sidi Bouloukat 21, Medina, Marrakech 40000, Morocco', 2200, 'MAD', 4, 4, 'A riad around a tiled courtyard with orange trees, and a rooftop pool with views of the Atlas. Price per night.', false],
  ['Seaside Loft in the Old Port', '12 Quai du Port, 13002 Marseille, France', 160, 'EUR', 1, 1, 'Industrial-style loft facing the Vieux-Port; ferries to the Frioul islands leave from below. Price per night.'],
  ['Glass Cabin under the Northern Lights', 'Arctic Circle Road 40, 96930 Rovaniemi, Finland', 390, 'EUR', 2, 1, 'Glass-roofed cabin for watching the aurora from bed; husky safaris can be booked on site. Price per night.'],
  ['Cliff House with Ocean Terrace', '47200 Highway 1, Big Sur, CA 93920, United States', 650, 'USD', 3, 2, 'Perched above the Pacific with a wraparound terrace, redwood hot tub and trails to a hidden beach. Price per night.'],
];

// Homes for sale.
const REALESTATE: Listing[] = [
  ['Four-Bedroom Family Home with Garden', '14 Maple Avenue, Guildford GU1 2QT, United Kingdom', 785000, 'GBP', 4, 3, 'Detached family home with a south-facing garden, garage and a ten-minute walk to the station.'],
  ['Victorian Terrace, Fully Renovated', '32 Elm Row, Edinburgh EH7 4AH, United Kingdom', 545000, 'GBP', 3, 2, 'High ceilings, original cornicing and a new kitchen opening onto a private courtyard.'],
  ['Modern Townhouse near the Park', 'Kollwitzstraße 58, 10405 Berlin, Germany', 1150000, 'EUR', 4, 3, 'Energy-efficient townhouse over four floors with a roof terrace, steps from Kollwitzplatz.'],
  ['Two-Bedroom Apartment with Balcony', '21 Rue Vendôme, 69006 Lyon, France', 420000, 'EUR', 2, 1, 'Haussmann-style apartment with a sunny balcony, parquet floors and a cellar.'],
  ['Detached Bungalow on a Quiet Cul-de-sac', '7 Willow Close, Harrogate HG2 8JX, United Kingdom', 465000, 'GBP', 3, 2, 'Single-storey living with a large plot, conservatory and off-street parking for three cars.'],
  ['Craftsman Home with Front Porch', '1820 SE Belmont St, Portland, OR 97214, United States', 689000, 'USD', 3, 2, 'Classic 1912 craftsman with built-ins, a finished basement and a fenced backyard.'],
  ['Loft Condo Downtown', '250 Spring St, Apt 5B, New York, NY 10013, United States', 1395000, 'USD', 2, 2, 'Soho loft with 12-foot ceilings, cast-iron columns and oversized windows; doorman building.'],
  ['Ranch House on One Acre', '4410 County Road 12, Boulder, CO 80302, United States', 925000, 'USD', 4, 3, 'Single-level ranch on an acre with mountain views, a workshop and room for horses.'],
  ['Starter Condo near Transit', '1200 E Pine St, Unit 304, Seattle, WA 98122, United States', 415000, 'USD', 1, 1, 'Light-filled one-bedroom on Capitol Hill, two blocks from light rail, with in-unit laundry.'],
  ['Farmhouse with Barn and Paddocks', 'Over Norton Road, Chipping Norton OX7 5PX, United Kingdom', 1650000, 'GBP', 5, 4, 'Cotswold stone farmhouse on eight acres with a stone barn, stables and paddocks.'],
  ['Canal House in the Historic Centre', 'Keizersgracht 412, 1016 GC Amsterdam, Netherlands', 2250000, 'EUR', 4, 3, 'A 17th-century canal house with a deep garden, original staircase and a private mooring.'],
  ['New-build Semi-detached Home', '9 Larkspur Way, Leeds LS17 6PQ, United Kingdom', 325000, 'GBP', 3, 2, 'Brand-new home with a ten-year warranty, an A-rated energy certificate and a driveway.'],
  ['Penthouse with River Views', 'Rua do Alecrim 70, 1200-018 Lisbon, Portugal', 1480000, 'EUR', 3, 3, 'Top-floor penthouse over the Tagus with a wraparound terrace and two parking spaces.'],
  ['Garden Flat in a Period Conversion', '58 Canonbury Road, London N1 2DQ, United Kingdom', 695000, 'GBP', 2, 1, 'Georgian conversion with a private walled garden, share of freehold and a long lease.'],
  ['Mid-century Modern on a Hillside', '2145 Silver Ridge Ave, Los Angeles, CA 90039, United States', 1725000, 'USD', 3, 2, 'Post-and-beam home with walls of glass, a pool and views to the reservoir.'],
  ['Colonial with Three-Car Garage', '31 Compo Road North, Westport, CT 06880, United States', 1290000, 'USD', 5, 4, 'Center-hall colonial on a level acre near the beach and top-rated schools.', false],
  ['Year-round Lakefront Cottage', '85 Fairy Lake Road, Huntsville, ON P1H 2J6, Canada', 895000, 'CAD', 3, 2, 'Winterised cottage with 150 feet of shoreline, a boathouse and sunset views.'],
  ['Apartment with Terrace in Eixample', 'Carrer de Mallorca 260, 08008 Barcelona, Spain', 615000, 'EUR', 3, 2, 'Modernista building with a lift, restored hydraulic tiles and a 30 m² terrace.'],
  ['Townhouse close to Schools', '18 Rose Street, Fitzroy VIC 3065, Australia', 1390000, 'AUD', 3, 2, 'Renovated terrace with a north-facing courtyard, walking distance to schools and cafés.'],
  ['Split-level Home with Pool', '6620 E Camelback Rd, Phoenix, AZ 85251, United States', 549000, 'USD', 4, 3, 'Updated split-level with a sparkling pool, solar panels and a two-car garage.'],
  ['Studio in a Converted Warehouse', '3 Cutting Room Square, Manchester M4 6AJ, United Kingdom', 195000, 'GBP', 0, 1, 'Open-plan studio with exposed brick and steel beams in the heart of Ancoats; ideal first purchase.'],
  ['Chalet-style Home near the Slopes', 'Hungerburgweg 15, 6020 Innsbruck, Austria', 980000, 'EUR', 4, 3, 'Larch-clad family home with mountain views, a sauna and ski room, ten minutes from the lifts.'],
  ['Duplex with Rental Unit', '2214 W Cortland St, Chicago, IL 60647, United States', 629000, 'USD', 5, 3, 'Live in one unit, rent out the other: a well-kept two-flat in Bucktown with a garage.'],
  ['Country House with Orchard', 'Lieu-dit Les Granges, 24220 Saint-Cyprien, France', 495000, 'EUR', 5, 3, 'Stone house with a walnut orchard, pool and a barn ready for conversion in the Dordogne valley.'],
  ['Waterfront Condo with Marina Access', '2900 NE 30th St, Unit 8C, Fort Lauderdale, FL 33306, United States', 845000, 'USD', 2, 2, 'Corner condo with Intracoastal views, boat slip available and resort-style amenities.'],
  ['Brownstone with Original Details', '145 Garfield Place, Brooklyn, NY 11215, United States', 3250000, 'USD', 5, 4, 'Park Slope brownstone with original mouldings, four fireplaces and a landscaped garden.', false],
  ['Energy-efficient Passive House', 'Vauban-Allee 22, 79100 Freiburg, Germany', 890000, 'EUR', 4, 2, 'Certified passive house with heat recovery, solar roof and a garden in a car-free quarter.'],
  ['Two-Bedroom Flat near the Harbour', '4 Harbour Row, Cobh, Co. Cork P24 X2F7, Ireland', 335000, 'EUR', 2, 1, 'Sea views from the living room, walking distance to the train to Cork city.'],
  ['Fixer-upper with Great Bones', '5427 Butler St, Pittsburgh, PA 15201, United States', 189000, 'USD', 3, 1, 'Brick rowhouse in Lawrenceville needing updates; solid structure and a deep lot.', false],
  ['Seaside Villa for Sale', 'Urbanización Los Monteros, 29603 Marbella, Spain', 2950000, 'EUR', 5, 5, 'Contemporary villa a short walk from the beach, with an infinity pool, gym and guest apartment.'],
];

const DEMO_LISTINGS: Record<string, Listing[]> = { bestays: BESTAYS, realestate: REALESTATE };

/**
 * Demo listings of the product (chosen by its name, created in the caller's tenant context),
 * owned by `owner`. Idempotent: titles that exist are skipped. Returns how many it created.
 */
export async function seedProperties(app: INestApplicationContext, product: string, owner: User): Promise<number> {
  const listings = DEMO_LISTINGS[product] ?? [];
  const properties = app.get(PropertiesService);
  const existing = await properties.existingTitles(listings.map(([title]) => title));
  let created = 0;
  for (const [title, address, price, currency, bedrooms, bathrooms, description, published = true] of listings) {
    if (existing.has(title)) {
      continue;
    }
    const body = { title, description, priceMinor: price * 100, currency, bedrooms, bathrooms, address, published };
    await properties.create(await validated(body), owner);
    created++;
  }
  return created;
}

// Seed data goes through the same validation as a request body.
async function validated(plain: object): Promise<CreatePropertyBody> {
  const body = plainToInstance(CreatePropertyBody, plain);
  const errors = await validate(body, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new Error(`invalid seed property: ${errors.map((error) => error.toString()).join('; ')}`);
  }
  return body;
}
