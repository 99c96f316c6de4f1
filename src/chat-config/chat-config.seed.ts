import { type INestApplicationContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreatePromptBody, CreateToolBody } from './chat-config.dto';
import { ChatPromptsService } from './chat-prompts.service';
import { ChatToolsService } from './chat-tools.service';

interface ChatDemo {
  systemPrompt: string;
  searchDescription: string;
  priceDescription: string;
}

const DEMO: Record<string, ChatDemo> = {
  bestays: {
    systemPrompt: [
      'You are the Bestays assistant, helping guests who book holiday rentals: villas, cabins and apartments by the sea.',
      'Answer only from the Bestays FAQ entries provided with each question (booking, payment, check-in, cancellation, house rules).',
      'If those entries do not contain the answer, say plainly that you do not know and suggest contacting Bestays support.',
      'Never invent prices, availability, fees or policies. Be brief and friendly.',
    ].join(' '),
    searchDescription: 'Search Bestays holiday rentals by place, kind of stay, number of bedrooms and nightly price.',
    priceDescription: 'Highest nightly price, in minor units (cents) of the currency',
  },
  realestate: {
    systemPrompt: [
      'You are the RealEstate assistant, helping people who buy or sell homes.',
      'Answer only from the RealEstate FAQ entries provided with each question (viewings, offers, mortgages, fees, the buying and selling process).',
      'If those entries do not contain the answer, say plainly that you do not know and suggest contacting one of our agents.',
      'Never invent prices, valuations, legal or financial advice. Be brief and precise.',
    ].join(' '),
    searchDescription: 'Search RealEstate homes for sale by place, kind of home, number of bedrooms and asking price.',
    priceDescription: 'Highest asking price, in minor units (cents) of the currency',
  },
};

function demoFor(product: string): ChatDemo {
  return (
    DEMO[product] ?? {
      systemPrompt: `You are the ${product} assistant. Answer only from the ${product} FAQ entries provided with each question. If they do not contain the answer, say plainly that you do not know.`,
      searchDescription: `Search ${product} listings by place, kind, number of bedrooms and price.`,
      priceDescription: 'Highest price, in minor units (cents) of the currency',
    }
  );
}

/**
 * The product's active `system` prompt and the three executable tools, created in the caller's tenant context.
 * Idempotent: a prompt name or tool name that exists is left alone. Returns how many rows it created.
 */
export async function seedChatConfig(app: INestApplicationContext, product: string): Promise<number> {
  const prompts = app.get(ChatPromptsService);
  const tools = app.get(ChatToolsService);
  const demo = demoFor(product);
  let created = 0;

  const system = await prompts.list({ name: 'system', limit: 1, offset: 0 });
  if (system.total === 0) {
    await prompts.create(await validated(CreatePromptBody, { name: 'system', content: demo.systemPrompt, active: true }));
    created++;
  }

  for (const tool of demoTools(product, demo)) {
    if (!(await tools.findByName(tool.name))) {
      await tools.create(await validated(CreateToolBody, { ...tool, enabled: true }));
      created++;
    }
  }
  return created;
}

/** The three tools the server has handlers for, described in the product's own words. */
function demoTools(product: string, demo: ChatDemo): Array<{ name: string; description: string; parameters: Record<string, unknown> }> {
  return [
    {
      name: 'search_properties',
      description: demo.searchDescription,
      parameters: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'Free text: place, kind of property, features', minLength: 1, maxLength: 200 },
          minBedrooms: { type: 'integer', minimum: 0, maximum: 100, description: 'At least this many bedrooms' },
          maxPriceMinor: { type: 'integer', minimum: 0, description: demo.priceDescription },
          currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code of maxPriceMinor' },
        },
        additionalProperties: false,
      },
    },
    {
      name: 'get_property',
      description: `The full details of one ${product} listing by its id (from search_properties).`,
      parameters: {
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid', description: 'The property id' } },
        required: ['id'],
        additionalProperties: false,
      },
    },
    {
      name: 'search_faq',
      description: `Search the ${product} FAQ for answers about policies and how things work; returns the best matching entries.`,
      parameters: {
        type: 'object',
        properties: { q: { type: 'string', minLength: 1, maxLength: 500, description: 'The question, in the user\'s words' } },
        required: ['q'],
        additionalProperties: false,
      },
    },
  ];
}

// Seed data goes through the same validation as a request body.
async function validated<T extends object>(type: new () => T, plain: object): Promise<T> {
  const body = plainToInstance(type, plain);
  const errors = await validate(body, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new Error(`invalid seed ${type.name}: ${errors.map((error) => error.toString()).join('; ')}`);
  }
  return body;
}
