import { ApiProperty, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, Matches } from 'class-validator';
import { PageOf } from '../common/pagination.dto';
import { FaqSynonymGroup } from './faq-synonym.entity';

// One lowercase word each (letters and digits): the search splits questions into such words.
const TERM = /^[a-z0-9]{1,40}$/;

export class CreateSynonymGroupBody {
  @ApiProperty({ type: [String], minItems: 2, maxItems: 30, example: ['child', 'children', 'kid', 'kids', 'toddler', 'baby'] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(30)
  @ArrayUnique()
  @Matches(TERM, { each: true, message: 'each term must be one lowercase word of 1-40 letters or digits' })
  terms!: string[];
}

export class UpdateSynonymGroupBody extends PartialType(CreateSynonymGroupBody, { skipNullProperties: false }) {}

export class SynonymGroupResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: [String] }) terms!: string[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class SynonymGroupPage extends PageOf(SynonymGroupResponse) {}

export function toSynonymGroupResponse(group: FaqSynonymGroup): SynonymGroupResponse {
  return { id: group.id, terms: group.terms, createdAt: group.createdAt, updatedAt: group.updatedAt };
}
