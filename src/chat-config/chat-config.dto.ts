import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { BooleanQuery, IfPresent, NotBlank } from '../common/validation';
import { PageQuery, PageOf } from '../common/pagination.dto';
import { ChatPrompt } from './chat-prompt.entity';
import { ChatTool } from './chat-tool.entity';
import { isExecutableTool } from './executable-tools';
import { IsToolParametersSchema } from './json-schema';

// Prompts are looked up by name in code (the assistant uses `system`), so names are identifiers.
const PROMPT_NAME = /^[a-zA-Z0-9_.-]{1,100}$/;
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

// Prompts

export class PromptResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'system' }) name!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
  @ApiProperty({ description: 'At most one prompt per name is active' }) active!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class PromptPage extends PageOf(PromptResponse) {}

export class PromptQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'system' })
  @IsOptional()
  @Matches(PROMPT_NAME, { message: 'name must be 1-100 letters, digits, ".", "_" or "-"' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @BooleanQuery()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

export class CreatePromptBody {
  @ApiProperty({ pattern: PROMPT_NAME.source, example: 'system' })
  @IsString()
  @Matches(PROMPT_NAME, { message: 'name must be 1-100 letters, digits, ".", "_" or "-"' })
  name!: string;

  @ApiProperty({ maxLength: 50000 })
  @IsString()
  @MaxLength(50000)
  @NotBlank()
  content!: string;

  @ApiPropertyOptional({ description: 'Omitted: false. Activating deactivates the active prompt of the same name' })
  @IfPresent()
  @IsBoolean()
  active?: boolean;
}

// The name is fixed: versions and the single active prompt are counted per name.
export class UpdatePromptBody {
  @ApiPropertyOptional({ maxLength: 50000, description: 'A new content bumps the version' })
  @IfPresent()
  @IsString()
  @MaxLength(50000)
  @NotBlank()
  content?: string;

  @ApiPropertyOptional({ description: 'Activating deactivates the active prompt of the same name' })
  @IfPresent()
  @IsBoolean()
  active?: boolean;
}

export function toPromptResponse(prompt: ChatPrompt): PromptResponse {
  return {
    id: prompt.id,
    name: prompt.name,
    content: prompt.content,
    version: prompt.version,
    active: prompt.active,
    createdAt: prompt.createdAt,
    updatedAt: prompt.updatedAt,
  };
}

// Tools

export class ToolResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'search_properties' }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of the arguments' })
  parameters!: Record<string, unknown>;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'Whether the server has a handler for this name; only enabled executable tools are offered to the model' })
  executable!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ToolPage extends PageOf(ToolResponse) {}

// No property initializers here: PartialType copies them, and a PATCH must not reset omitted fields.
export class CreateToolBody {
  @ApiProperty({ pattern: TOOL_NAME.source, example: 'search_properties' })
  @IsString()
  @Matches(TOOL_NAME, { message: 'name must be 1-64 letters, digits, "_" or "-"' })
  name!: string;

  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @MaxLength(4000)
  @NotBlank()
  description!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema (draft-07) of the arguments, with "type": "object" at the top level',
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  })
  @IsToolParametersSchema()
  parameters!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Omitted on create: true' })
  @IfPresent()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateToolBody extends PartialType(CreateToolBody, { skipNullProperties: false }) {}

export function toToolResponse(tool: ChatTool): ToolResponse {
  return {
    id: tool.id,
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    enabled: tool.enabled,
    executable: isExecutableTool(tool.name),
    createdAt: tool.createdAt,
    updatedAt: tool.updatedAt,
  };
}
