import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OmitType } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import { IsArray, IsOptional, Matches, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { CreatePromptBody, CreateToolBody } from '../chat-config/chat-config.dto';
import { CreateCategoryBody, CreateFaqBody, SLUG } from '../faq/faq.dto';
import { CreatePropertyBody } from '../properties/properties.dto';

// Demo content is data: one folder per product under src/seed/data (copied to dist/seed/data by the
// build), each file validated with the same DTOs as the API's request bodies. A missing folder or
// file means no demo data of that kind.
export const SEED_DATA_DIR = path.join(__dirname, 'data');

export class SeedFaqDocument extends OmitType(CreateFaqBody, ['categoryId'] as const) {
  @Matches(SLUG, { message: 'category must be the slug of a category in this file' })
  category!: string;
}

export class PropertiesFile {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreatePropertyBody)
  properties!: CreatePropertyBody[];
}

export class FaqFile {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreateCategoryBody)
  categories!: CreateCategoryBody[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SeedFaqDocument)
  documents!: SeedFaqDocument[];
}

export class ChatConfigFile {
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreatePromptBody)
  prompts: CreatePromptBody[] = [];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreateToolBody)
  tools: CreateToolBody[] = [];
}

export interface SeedData {
  properties: CreatePropertyBody[];
  faq: { categories: CreateCategoryBody[]; documents: SeedFaqDocument[] };
  chatConfig: { prompts: CreatePromptBody[]; tools: CreateToolBody[] };
}

export class SeedDataError extends Error {}

/** The product's demo data, validated; throws SeedDataError naming the file and the field. */
export function loadSeedData(product: string, root = SEED_DATA_DIR): SeedData {
  const folder = path.join(root, product);
  const properties = readFile(folder, 'properties.json', PropertiesFile);
  const faq = readFile(folder, 'faq.json', FaqFile);
  const chatConfig = readFile(folder, 'chat-config.json', ChatConfigFile);
  if (faq) {
    const slugs = new Set(faq.categories.map((category) => category.slug));
    faq.documents.forEach((document, index) => {
      if (!slugs.has(document.category)) {
        throw new SeedDataError(
          `${path.join(folder, 'faq.json')}: documents[${index}].category: "${document.category}" is not the slug of a category in this file`,
        );
      }
    });
  }
  return {
    properties: properties?.properties ?? [],
    faq: { categories: faq?.categories ?? [], documents: faq?.documents ?? [] },
    chatConfig: { prompts: chatConfig?.prompts ?? [], tools: chatConfig?.tools ?? [] },
  };
}

function readFile<T extends object>(folder: string, name: string, type: new () => T): T | undefined {
  const file = path.join(folder, name);
  if (!existsSync(file)) {
    return undefined;
  }
  let plain: unknown;
  try {
    plain = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SeedDataError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new SeedDataError(`${file}: must hold a JSON object`);
  }
  const data = plainToInstance(type, plain);
  const errors = validateSync(data, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new SeedDataError(`${file}: ${problems(errors).join('; ')}`);
  }
  return data;
}

// `documents[3].question: question must not be blank`
function problems(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const at = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${at}: ${message}`);
    return [...own, ...problems(error.children ?? [], at)];
  });
}
