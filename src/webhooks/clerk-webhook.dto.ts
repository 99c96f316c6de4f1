import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class WebhookReceipt {
  @ApiProperty() received!: boolean;
  @ApiProperty() duplicate!: boolean;
}

export class ClerkEmailAddress {
  @IsString() id!: string;
  @IsString() @MaxLength(320) email_address!: string;
}

// The parts of Clerk's user object we keep; everything else in the event is stored, not read.
export class ClerkUserData {
  @IsString() @MinLength(1) @MaxLength(255) id!: string;

  @IsArray() @ValidateNested({ each: true }) @Type(() => ClerkEmailAddress)
  email_addresses!: ClerkEmailAddress[];

  @IsOptional() @IsString() primary_email_address_id?: string | null;
  @IsOptional() @IsString() @MaxLength(255) first_name?: string | null;
  @IsOptional() @IsString() @MaxLength(255) last_name?: string | null;
  @IsOptional() @IsObject() public_metadata?: Record<string, unknown>;
  // Milliseconds since the epoch, as Clerk sends it; at most the end of year 9999 (a valid Date and timestamptz).
  @IsOptional() @IsInt() @Min(0) @Max(253_402_300_799_999) updated_at?: number;
}

export class ClerkDeletedUserData {
  @IsString() @MinLength(1) @MaxLength(255) id!: string;
  @IsOptional() @IsBoolean() deleted?: boolean;
}

export class ClerkEvent {
  @IsString() @MinLength(1) @MaxLength(100) type!: string;
  @IsObject() data!: Record<string, unknown>;
}
