import { ApiProperty } from '@nestjs/swagger';

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'error'] }) status!: 'ok' | 'error';
  @ApiProperty({ example: 'bestays' }) product!: string;
  @ApiProperty({ enum: ['up', 'down'] }) database!: 'up' | 'down';
}
