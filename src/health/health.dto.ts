import { ApiProperty } from '@nestjs/swagger';

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'suspended', 'error'] }) status!: 'ok' | 'suspended' | 'error';
  @ApiProperty({ example: 'bestays' }) product!: string;
  @ApiProperty({ enum: ['up', 'down'] }) database!: 'up' | 'down';
}
