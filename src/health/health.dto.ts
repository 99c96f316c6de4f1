import { ApiProperty } from '@nestjs/swagger';

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'suspended', 'error', 'shutting_down'] }) status!: 'ok' | 'suspended' | 'error' | 'shutting_down';
  @ApiProperty({ example: 'bestays' }) product!: string;
  @ApiProperty({
    enum: ['up', 'busy', 'down'],
    description: 'up; busy: reachable, but the pool is saturated or the check query timed out; down: cannot connect',
  })
  database!: 'up' | 'busy' | 'down';
}

export class LivenessResponse {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ example: 'bestays' }) product!: string;
}
