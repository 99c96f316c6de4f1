import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { LlmUsageQuery, LlmUsageResponse } from './llm-usage.dto';
import { LlmUsageService, utcDay } from './llm-usage.service';

const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

@ApiTags('admin: assistant')
@Controller('v1/admin/llm-usage')
@Authenticated('admin')
export class LlmUsageController {
  constructor(private readonly usage: LlmUsageService) {}

  @Get()
  @ApiOkResponse({ type: LlmUsageResponse, description: "This product's token usage per UTC day and its top users, `from`..`to` inclusive" })
  report(@Query() query: LlmUsageQuery): Promise<LlmUsageResponse> {
    const to = query.to ?? utcDay();
    const from = query.from ?? utcDay(new Date(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS));
    const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (Number.isNaN(span) || utcDay(new Date(Date.parse(from))) !== from || utcDay(new Date(Date.parse(to))) !== to) {
      throw new BadRequestException('from and to must be real dates (YYYY-MM-DD)');
    }
    if (span < 0 || span >= MAX_DAYS) {
      throw new BadRequestException(`from must not be after to, and the range is at most ${MAX_DAYS} days`);
    }
    return this.usage.report(from, to);
  }
}
