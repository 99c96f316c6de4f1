import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { AuditPage, AuditQuery, toAuditEntryResponse } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('v1/admin/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiOperation({ summary: 'List audit entries, newest first' })
  @Get()
  @Authenticated('admin')
  @ApiOkResponse({ type: AuditPage })
  async list(@Query() query: AuditQuery): Promise<AuditPage> {
    const result = await this.audit.list(query);
    return { ...result, items: result.items.map(toAuditEntryResponse) };
  }
}
