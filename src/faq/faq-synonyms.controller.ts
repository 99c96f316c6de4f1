import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { PageQuery } from '../common/pagination.dto';
import {
  CreateSynonymGroupBody,
  SynonymGroupPage,
  SynonymGroupResponse,
  toSynonymGroupResponse,
  UpdateSynonymGroupBody,
} from './faq-synonyms.dto';
import { FaqSynonymsService } from './faq-synonyms.service';

@ApiTags('faq admin')
@Controller('v1/admin/faq-synonyms')
@Authenticated('admin')
export class FaqSynonymsAdminController {
  constructor(private readonly synonyms: FaqSynonymsService) {}

  @Get()
  @ApiOkResponse({ type: SynonymGroupPage, description: 'Synonym groups applied to FAQ search queries, oldest first' })
  async list(@Query() query: PageQuery): Promise<SynonymGroupPage> {
    const result = await this.synonyms.list(query);
    return { ...result, items: result.items.map(toSynonymGroupResponse) };
  }

  @Get(':id')
  @ApiOkResponse({ type: SynonymGroupResponse })
  @ApiNotFoundResponse()
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<SynonymGroupResponse> {
    return toSynonymGroupResponse(await this.synonyms.get(id));
  }

  @Post()
  @ApiCreatedResponse({ type: SynonymGroupResponse, description: 'Applies to the next search; documents are not re-embedded' })
  async create(@Body() body: CreateSynonymGroupBody): Promise<SynonymGroupResponse> {
    return toSynonymGroupResponse(await this.synonyms.create(body));
  }

  @Patch(':id')
  @ApiOkResponse({ type: SynonymGroupResponse })
  @ApiNotFoundResponse()
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateSynonymGroupBody): Promise<SynonymGroupResponse> {
    return toSynonymGroupResponse(await this.synonyms.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.synonyms.remove(id);
  }
}
