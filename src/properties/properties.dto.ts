import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsISO4217CurrencyCode,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { BooleanQuery, IfPresent, NotBlank } from '../common/validation';
import { PageQuery, PageOf } from '../common/pagination.dto';
import { Property } from './property.entity';

export class PropertyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Price in minor units (cents) of `currency`', example: 125000 }) priceMinor!: number;
  @ApiProperty({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code', example: 'EUR' }) currency!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) bedrooms!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) bathrooms!: number;
  @ApiProperty() address!: string;
  @ApiProperty() published!: boolean;
  @ApiProperty({ format: 'uuid', description: 'Id of the user who created it' }) createdBy!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class PropertyPage extends PageOf(PropertyResponse) {}

// No property initializers here: PartialType copies them, and a PATCH must not reset omitted fields.
export class CreatePropertyBody {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Sea-view villa with pool' })
  @IsString()
  @MaxLength(200)
  @NotBlank()
  title!: string;

  @ApiPropertyOptional({ maxLength: 10000, description: 'Omitted on create: empty' })
  @IfPresent()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Price in minor units (cents)', example: 125000 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  priceMinor!: number;

  @ApiProperty({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, upper case', example: 'EUR' })
  @IsISO4217CurrencyCode()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an upper-case ISO 4217 code such as EUR' })
  currency!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  bedrooms!: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  bathrooms!: number;

  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @MaxLength(500)
  @NotBlank()
  address!: string;

  @ApiPropertyOptional({ description: 'Omitted on create: false (a draft)' })
  @IfPresent()
  @IsBoolean()
  published?: boolean;
}

export class UpdatePropertyBody extends PartialType(CreatePropertyBody, { skipNullProperties: false }) {}

export class AdminPropertyQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only published (true) or only drafts (false)' })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean({ message: 'published must be true or false' })
  published?: boolean;
}

/** A property as a plain row (public reads): the creator is its id, bigint may come back as text. */
export type PropertyRow = Omit<Property, 'createdBy' | 'priceMinor'> & { createdBy: string; priceMinor: number | string };

export function toPropertyResponse(property: Property | PropertyRow): PropertyResponse {
  return {
    id: property.id,
    title: property.title,
    description: property.description,
    priceMinor: Number(property.priceMinor),
    currency: property.currency,
    bedrooms: property.bedrooms,
    bathrooms: property.bathrooms,
    address: property.address,
    published: property.published,
    createdBy: typeof property.createdBy === 'string' ? property.createdBy : property.createdBy.id,
    createdAt: property.createdAt,
    updatedAt: property.updatedAt,
  };
}
