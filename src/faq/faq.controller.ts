import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { FaqPublicService } from './faq-public.service';
import {
  CategoryList,
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
export class FaqController {
  constructor(private readonly faq: FaqPublicService) {}

  @Get('categories')
  @ApiOkResponse({ type: CategoryList, description: 'By position, then name' })
  async categories(): Promise<CategoryList> {
    return { items: (await this.faq.listCategories()).map(toCategoryResponse) };
  }

  @Get('documents')
  @ApiOkResponse({ type: FaqDocumentPage, description: 'Published documents, newest first' })
  async documents(@Query() query: PublicFaqQuery): Promise<FaqDocumentPage> {
    const result = await this.faq.listDocuments(query);
    return { ...result, items: result.items.map(toFaqDocumentResponse) };
  }

  @Get('documents/:id')
  @ApiOkResponse({ type: FaqDocumentDetailResponse, description: 'Counts a view' })
  @ApiNotFoundResponse({ description: 'No published document with this id' })
  async document(@Param('id', ParseUUIDPipe) id: string): Promise<FaqDocumentDetailResponse> {
    const { document, relatedIds } = await this.faq.read(id);
    return toFaqDocumentDetailResponse(document, relatedIds);
  }

  @Get('search')
  @RateLimit('search')
  @ApiOkResponse({
    type: SearchResponse,
    description: 'Best match first; documents that match neither by words nor by embedding are left out',
  })
  async search(@Query() query: SearchQuery): Promise<SearchResponse> {
    return { items: await this.faq.search(query.q, query.limit) };
  }

  @Post('documents/:id/feedback')
  @RateLimit('search')
  @ApiCreatedResponse({ type: FeedbackResponse })
  @ApiNotFoundResponse({ description: 'No published document with this id' })
  async feedback(@Param('id', ParseUUIDPipe) id: string, @Body() body: FeedbackBody): Promise<FeedbackResponse> {
    const document = await this.faq.feedback(id, body.helpful);
    return { documentId: document.id, helpful: body.helpful };
  }
}
