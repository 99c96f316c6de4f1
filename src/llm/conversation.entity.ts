import { ArrayType, Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Unaudited } from '../audit/unaudited.decorator';
import { TenantEntity } from '../tenancy/tenant-entity';
import { User } from '../users/user.entity';

@Entity({ tableName: 'conversations' })
export class Conversation extends TenantEntity {
  @ManyToOne(() => User, { fieldName: 'user_id' })
  user: User;

  @Property({ type: 'varchar', length: 200 })
  title: string;

  constructor(user: User, title: string) {
    super();
    this.user = user;
    this.title = title;
  }
}

export type ChatRole = 'user' | 'assistant' | 'tool';

// The messages are the conversation's own log, so they are not audited one by one.
@Unaudited()
@Entity({ tableName: 'chat_messages' })
export class ChatMessage extends TenantEntity {
  @ManyToOne(() => Conversation, { fieldName: 'conversation_id' })
  conversation: Conversation;

  @Property({ type: 'varchar', length: 20 })
  role: ChatRole;

  @Property({ type: 'text' })
  content: string;

  // The FAQ documents (and properties, via tools) an assistant answer was built from.
  @Property({ type: ArrayType, columnType: 'uuid[]' })
  sources: string[] = [];

  // A `tool` message: the function the model called and the arguments it passed (the content is the result).
  @Property({ type: 'varchar', length: 64, nullable: true })
  toolName: string | null = null;

  @Property({ type: 'json', nullable: true })
  toolArguments: unknown = null;

  constructor(conversation: Conversation, role: ChatRole, content: string, sources: string[] = []) {
    super();
    this.conversation = conversation;
    this.role = role;
    this.content = content;
    this.sources = sources;
  }
}
