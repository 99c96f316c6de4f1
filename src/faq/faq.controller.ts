import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Request } from 'express';
import { PublicCache, whenBodySent } from '../common/http-cache';
import { mapPage, PageQuery } from '../common/pagination.dto';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { FaqPublicService } from './faq-public.service';
import {
  CategoryPage,
  FaqDocumentDetailResponse,
  FaqDocumentPage,
  FeedbackBody,
  FeedbackResponse,
  PublicFaqQuery,
  SearchQuery,
  SearchResponse,
  toCategoryResponse,
  toFaqDocumentDetailResponse,
  toFaqDocumentResponse,
} from './faq.dto';

@ApiTags('faq')
@Controller('v1/faq')
@PublicCache()
export class FaqController {
  constructor(private readonly faq: FaqPublicService) {}

  @ApiOperation({ summary: 'List FAQ categories' })
  @Get('categories')
  @ApiOkResponse({ type: CategoryPage, description: 'By position, then name' })
  async categories(@Query() query: PageQuery): Promise<CategoryPage> {
    return mapPage(await this.faq.listCategories(query), toCategoryResponse);
  }

  @ApiOperation({ summary: 'List published FAQ documents' })
  @Get('documents')
  @ApiOkResponse({ type: FaqDocumentPage, description: 'Published documents, newest first' })
  async documents(@Query() query: PublicFaqQuery): Promise<FaqDocumentPage> {
    return mapPage(await this.faq.listDocuments(query), toFaqDocumentResponse);
  }

  @ApiOperation({ summary: 'Read a published FAQ document' })
  @Get('documents/:id')
  @ApiOkResponse({ type: FaqDocumentDetailResponse, description: 'Counts a view' })
  @ApiNotFoundResponse({ description: 'No published document with this id' })
  async document(@Param('id', ParseUUIDPipe) id: string, @Req() request: Request): Promise<FaqDocumentDetailResponse> {
    const { document, relatedIds } = await this.faq.read(id);
    whenBodySent(request, () => this.faq.countView(document));
    return toFaqDocumentDetailResponse(document, relatedIds);
  }

  @ApiOperation({ summary: 'Search the published FAQ' })
  @Get('search')
  @RateLimit('search')
  @ApiOkResponse({
    type: SearchResponse,
    description: 'Best match first; documents that match neither by words nor by embedding are left out',
  })
  async search(@Query() query: SearchQuery): Promise<SearchResponse> {
    return { items: await this.faq.search(query.q, query.limit) };
  }

  @ApiOperation({ summary: 'Rate a FAQ document' })
  @Post('documents/:id/feedback')
  @RateLimit('search')
  @ApiCreatedResponse({ type: FeedbackResponse })
  @ApiNotFoundResponse({ description: 'No published document with this id' })
  async feedback(@Param('id', ParseUUIDPipe) id: string, @Body() body: FeedbackBody): Promise<FeedbackResponse> {
    const document = await this.faq.feedback(id, body.helpful);
    return { documentId: document.id, helpful: body.helpful };
  }
}
