import { Entity, type Opt, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';

@Entity({ tableName: 'chat_tools' })
export class ChatTool extends TenantEntity {
  @Property({ type: 'varchar', length: 64 })
  name: string;

  @Property({ type: 'text' })
  description: string;

  // A JSON Schema, validated as one before it is stored.
  @Property({ type: 'jsonb' })
  parameters: Record<string, unknown>;

  @Property({ type: 'boolean' })
  enabled: Opt<boolean> = true;

  constructor(fields: Pick<ChatTool, 'name' | 'description' | 'parameters'> & Partial<Pick<ChatTool, 'enabled'>>) {
    super();
    this.name = fields.name;
    this.description = fields.description;
    this.parameters = fields.parameters;
    this.enabled = fields.enabled ?? this.enabled;
  }
}
