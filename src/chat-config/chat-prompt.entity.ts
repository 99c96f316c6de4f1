import { Entity, type Opt, Property } from '@mikro-orm/core';
import { TenantEntity } from '../tenancy/tenant-entity';

// At most one active prompt per name: a partial unique index, not just service logic.
@Entity({ tableName: 'chat_prompts' })
export class ChatPrompt extends TenantEntity {
  @Property({ type: 'varchar', length: 100 })
  name: string;

  @Property({ type: 'text' })
  content: string;

  @Property({ type: 'integer' })
  version: number;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = false;

  constructor(name: string, content: string, version: number) {
    super();
    this.name = name;
    this.content = content;
    this.version = version;
  }
}
