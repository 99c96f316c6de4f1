import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class UpdateUserSettingsBody {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Your own LLM API key (stored encrypted; null clears it)' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(4096)
  @Matches(/^\S+$/, { message: 'llmApiKey must not contain whitespace' })
  llmApiKey?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'en-GB', description: 'BCP 47 language tag; null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, { message: 'preferredLanguage must be a language tag such as "en" or "pt-BR"' })
  preferredLanguage?: string | null;
}

export class UserSettingsResponse {
  @ApiProperty({ type: String, nullable: true, description: 'Last 4 characters of your key; the key itself is never returned' })
  llmApiKeyLast4!: string | null;

  @ApiProperty({ type: String, nullable: true }) preferredLanguage!: string | null;
}
