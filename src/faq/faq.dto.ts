import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IfPresent, NotBlank } from '../common/validation';
import { PageQuery, PageOf } from '../common/pagination.dto';
import { FaqCategory } from './faq-category.entity';
import { FAQ_STATUSES, FaqDocument, type FaqStatus } from './faq-document.entity';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Tags are stored in a text[]: no control characters, and never the bare word NULL (an array literal's null).
const TAG = /^(?!null$)[^\p{Cc}]*\S[^\p{Cc}]*$/iu;
const MAX_INT = 2_147_483_647;
const trimEach = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'string' ? item.trim() : item)) : value;

// Categories

export class CategoryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Booking' }) name!: string;
  @ApiProperty({ example: 'booking' }) slug!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) position!: number;
}

export class CategoryPage extends PageOf(CategoryResponse) {}

// No property initializers here: PartialType copies them, and a PATCH must not reset omitted fields.
export class CreateCategoryBody {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Booking' })
  @IsString()
  @MaxLength(200)
  @NotBlank()
  name!: string;

  @ApiProperty({ maxLength: 100, pattern: SLUG.source, example: 'booking', description: 'Unique within the product' })
  @IsString()
  @MaxLength(100)
  @Matches(SLUG, { message: 'slug must be lowercase letters and digits separated by single hyphens' })
  slug!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_INT, description: 'Categories are listed by position, then name; omitted on create: 0' })
  @IfPresent()
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  position?: number;
}

export class UpdateCategoryBody extends PartialType(CreateCategoryBody, { skipNullProperties: false }) {}

// Documents

export class FaqDocumentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) categoryId!: string;
  @ApiProperty() question!: string;
  @ApiProperty() answer!: string;
  @ApiProperty({ enum: FAQ_STATUSES }) status!: FaqStatus;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class FaqDocumentDetailResponse extends FaqDocumentResponse {
  @ApiProperty({ type: [String], format: 'uuid', description: '"See also" documents (on public routes: published ones only)' })
  relatedIds!: string[];
}

export class FaqDocumentPage extends PageOf(FaqDocumentResponse) {}

export class CreateFaqBody {
  @ApiProperty({ format: 'uuid', description: 'A category of this product' })
  @IsUUID()
  categoryId!: string;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Are pets allowed?' })
  @IsString()
  @MaxLength(500)
  @NotBlank()
  question!: string;

  @ApiProperty({ minLength: 1, maxLength: 20000 })
  @IsString()
  @MaxLength(20000)
  @NotBlank()
  answer!: string;

  @ApiPropertyOptional({ enum: FAQ_STATUSES, description: 'Omitted on create: draft' })
  @IfPresent()
  @IsIn(FAQ_STATUSES)
  status?: FaqStatus;

  @ApiPropertyOptional({ type: [String], maxItems: 20, description: 'Omitted on create: none', example: ['pets', 'dogs'] })
  @IfPresent()
  @Transform(trimEach)
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  @Matches(TAG, { each: true, message: 'each tag must be 1-50 printable characters (and not "null")' })
  tags?: string[];
}

export class UpdateFaqBody extends PartialType(CreateFaqBody, { skipNullProperties: false }) {}

export class RelatedBody {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: 50,
    description: 'Replaces the set; documents of this product, not the document itself',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  ids!: string[];
}

export class PublicFaqQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only documents of the category with this slug', example: 'booking' })
  @IsOptional()
  @MaxLength(100)
  @Matches(SLUG, { message: 'category must be a category slug' })
  category?: string;
}

export class AdminFaqQuery extends PageQuery {
  @ApiPropertyOptional({ enum: FAQ_STATUSES })
  @IsOptional()
  @IsIn(FAQ_STATUSES)
  status?: FaqStatus;
}

// Search and feedback

export class SearchQuery {
  @ApiProperty({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'Not blank', example: 'can I bring my dog' })
  @IsString()
  @MaxLength(500)
  @NotBlank()
  q!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 20, default: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  limit: number = 5;
}

export class SearchHit {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() question!: string;
  @ApiProperty() answer!: string;
  @ApiProperty({ format: 'uuid' }) categoryId!: string;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'Full-text and embedding similarity combined; higher is better' }) score!: number;
}

export class SearchResponse {
  @ApiProperty({ type: [SearchHit] }) items!: SearchHit[];
}

export class FeedbackBody {
  @ApiProperty({ description: 'Whether the answer helped' })
  @IsBoolean()
  helpful!: boolean;
}

export class FeedbackResponse {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() helpful!: boolean;
}

// Analytics

export class ViewedDocument {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() question!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) views!: number;
}

export class RatedDocument {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() question!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) helpful!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) notHelpful!: number;
}

export class SearchedQuery {
  @ApiProperty({ description: 'Trimmed, lower-cased, whitespace collapsed' }) query!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
  @ApiProperty({ description: 'Mean number of results, to 2 decimals' }) averageHits!: number;
}

export class UnansweredQuery {
  @ApiProperty() query!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
}

export class LowScoreQuery {
  @ApiProperty() query!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ description: 'The best score this search ever reached' }) bestScore!: number;
}

export class FaqAnalyticsResponse {
  @ApiProperty({ type: [ViewedDocument], description: 'Most views first (top 10)' }) topViewed!: ViewedDocument[];
  @ApiProperty({ type: [RatedDocument], description: 'Documents with a helpful vote, most helpful votes first (top 10)' })
  mostHelpful!: RatedDocument[];
  @ApiProperty({ type: [RatedDocument], description: 'Documents with a not-helpful vote, most such votes first (top 10)' })
  leastHelpful!: RatedDocument[];
  @ApiProperty({ type: [SearchedQuery], description: 'Most frequent searches (top 10)' }) topSearches!: SearchedQuery[];
  @ApiProperty({ type: [UnansweredQuery], description: 'Most frequent searches that found nothing (top 10)' })
  noResultSearches!: UnansweredQuery[];
  @ApiProperty({
    type: [LowScoreQuery],
    description: 'Most frequent searches that found something, but whose best score stayed below 0.3 (top 10): words to add as synonyms',
  })
  lowScoreSearches!: LowScoreQuery[];
}

// Mappers

export function toCategoryResponse(category: FaqCategory): CategoryResponse {
  return { id: category.id, name: category.name, slug: category.slug, position: category.position };
}

/** A document as a plain row (public lists): the category is its id. */
export type FaqDocumentRow = Omit<FaqDocument, 'category'> & { category: string };

export function toFaqDocumentResponse(document: FaqDocument | FaqDocumentRow): FaqDocumentResponse {
  return {
    id: document.id,
    categoryId: typeof document.category === 'string' ? document.category : document.category.id,
    question: document.question,
    answer: document.answer,
    status: document.status,
    tags: document.tags,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

export function toFaqDocumentDetailResponse(document: FaqDocument, relatedIds: string[]): FaqDocumentDetailResponse {
  return { ...toFaqDocumentResponse(document), relatedIds };
}
