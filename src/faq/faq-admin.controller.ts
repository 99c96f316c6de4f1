import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags, ApiOperation } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { PageQuery } from '../common/pagination.dto';
import { FaqAnalyticsService } from './faq-analytics.service';
import { FaqCategoriesService } from './faq-categories.service';
import { FaqDocumentsService } from './faq-documents.service';
import {
  AdminFaqQuery,
  CategoryPage,
  CategoryResponse,
  CreateCategoryBody,
  CreateFaqBody,
  FaqAnalyticsResponse,
  FaqDocumentDetailResponse,
  FaqDocumentPage,
  FaqDocumentResponse,
  RelatedBody,
  toCategoryResponse,
  toFaqDocumentDetailResponse,
  toFaqDocumentResponse,
  UpdateCategoryBody,
  UpdateFaqBody,
} from './faq.dto';

@ApiTags('faq admin')
@Controller('v1/admin/categories')
@Authenticated('admin')
export class FaqCategoriesAdminController {
  constructor(private readonly categories: FaqCategoriesService) {}

  @ApiOperation({ summary: 'List FAQ categories' })
  @Get()
  @ApiOkResponse({ type: CategoryPage, description: 'By position, then name' })
  async list(@Query() query: PageQuery): Promise<CategoryPage> {
    const result = await this.categories.list(query);
    return { ...result, items: result.items.map(toCategoryResponse) };
  }

  @ApiOperation({ summary: 'Get a FAQ category' })
  @Get(':id')
  @ApiOkResponse({ type: CategoryResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<CategoryResponse> {
    return toCategoryResponse(await this.categories.get(id));
  }

  @ApiOperation({ summary: 'Create a FAQ category' })
  @Post()
  @ApiCreatedResponse({ type: CategoryResponse })
  @ApiConflictResponse({ description: 'The slug is taken' })
  async create(@Body() body: CreateCategoryBody): Promise<CategoryResponse> {
    return toCategoryResponse(await this.categories.create(body));
  }

  @ApiOperation({ summary: 'Change a FAQ category' })
  @Patch(':id')
  @ApiOkResponse({ type: CategoryResponse })
  @ApiConflictResponse({ description: 'The slug is taken' })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateCategoryBody): Promise<CategoryResponse> {
    return toCategoryResponse(await this.categories.update(id, body));
  }

  @ApiOperation({ summary: 'Delete a FAQ category' })
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'The category still has documents' })
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.categories.remove(id);
  }
}

@ApiTags('faq admin')
@Controller('v1/admin/faqs')
@Authenticated('admin')
export class FaqDocumentsAdminController {
  constructor(private readonly documents: FaqDocumentsService) {}

  @ApiOperation({ summary: 'List FAQ documents (all statuses)' })
  @Get()
  @ApiOkResponse({ type: FaqDocumentPage, description: 'All statuses, newest first' })
  async list(@Query() query: AdminFaqQuery): Promise<FaqDocumentPage> {
    const result = await this.documents.listAll(query);
    return { ...result, items: result.items.map(toFaqDocumentResponse) };
  }

  @ApiOperation({ summary: 'Get a FAQ document' })
  @Get(':id')
  @ApiOkResponse({ type: FaqDocumentDetailResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<FaqDocumentDetailResponse> {
    const { document, relatedIds } = await this.documents.getWithRelated(id);
    return toFaqDocumentDetailResponse(document, relatedIds);
  }

  @ApiOperation({ summary: 'Create a FAQ document' })
  @Post()
  @ApiCreatedResponse({ type: FaqDocumentResponse })
  @ApiNotFoundResponse({ description: 'No category with this id' })
  async create(@Body() body: CreateFaqBody): Promise<FaqDocumentResponse> {
    return toFaqDocumentResponse(await this.documents.create(body));
  }

  @ApiOperation({ summary: 'Change a FAQ document' })
  @Patch(':id')
  @ApiOkResponse({ type: FaqDocumentResponse })
  @ApiNotFoundResponse({ description: 'No document, or no category, with this id' })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateFaqBody): Promise<FaqDocumentResponse> {
    return toFaqDocumentResponse(await this.documents.update(id, body));
  }

  @ApiOperation({ summary: "Replace a FAQ document's related documents" })
  @Put(':id/related')
  @ApiOkResponse({ type: FaqDocumentDetailResponse })
  @ApiNotFoundResponse({ description: 'The document, or one of the related ids, does not exist' })
  async setRelated(@Param('id', ParseUUIDPipe) id: string, @Body() body: RelatedBody): Promise<FaqDocumentDetailResponse> {
    const { document, relatedIds } = await this.documents.setRelated(id, body.ids);
    return toFaqDocumentDetailResponse(document, relatedIds);
  }

  @ApiOperation({ summary: 'Delete a FAQ document' })
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.documents.remove(id);
  }
}

@ApiTags('faq admin')
@Controller('v1/admin/faq-analytics')
@Authenticated('admin')
export class FaqAnalyticsAdminController {
  constructor(private readonly analytics: FaqAnalyticsService) {}

  @ApiOperation({ summary: 'FAQ analytics report' })
  @Get()
  @ApiOkResponse({ type: FaqAnalyticsResponse })
  report(): Promise<FaqAnalyticsResponse> {
    return this.analytics.report();
  }
}
