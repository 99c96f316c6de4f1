import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class LlmUsageQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'First UTC day (inclusive); default 30 days before `to`' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Last UTC day (inclusive); default today' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;
}

export class UsageTotals {
  @ApiProperty() calls!: number;
  @ApiProperty() promptTokens!: number;
  @ApiProperty() completionTokens!: number;
  @ApiProperty() totalTokens!: number;
}

export class DayUsage extends UsageTotals {
  @ApiProperty({ example: '2026-11-29' }) day!: string;
}

export class UserUsage {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty() calls!: number;
  @ApiProperty() totalTokens!: number;
}

export class LlmUsageResponse {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: UsageTotals }) totals!: UsageTotals;
  @ApiProperty({ type: [DayUsage], description: 'Days with any model call, oldest first' }) days!: DayUsage[];
  @ApiProperty({ type: [UserUsage], description: 'Top 10 users by tokens' }) topUsers!: UserUsage[];
}
