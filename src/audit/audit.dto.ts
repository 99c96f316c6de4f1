import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery, PageOf } from '../common/pagination.dto';
import { type AuditAction, AuditLog } from './audit-log.entity';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'User' }) @IsOptional() @IsString() @MaxLength(100) entityType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) entityId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() actorId?: string;
}

export class AuditEntryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['create', 'update', 'delete'] }) action!: AuditAction;
  @ApiProperty() entityType!: string;
  @ApiProperty() entityId!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) actorId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'On create and delete the field values; on update { field: { from, to } }',
  })
  changes!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class AuditPage extends PageOf(AuditEntryResponse) {}

export function toAuditEntryResponse(entry: AuditLog): AuditEntryResponse {
  return {
    id: entry.id,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    actorId: entry.actorId,
    changes: entry.changes,
    requestId: entry.requestId,
    createdAt: entry.createdAt,
  };
}
