import { AuditLog } from '../audit/audit-log.entity';
import { ChatPrompt } from '../chat-config/chat-prompt.entity';
import { ChatTool } from '../chat-config/chat-tool.entity';
import { FaqAnalyticsEvent } from '../faq/faq-analytics-event.entity';
import { FaqCategory } from '../faq/faq-category.entity';
import { FaqDocument, FaqRelated } from '../faq/faq-document.entity';
import { FaqEmbedding } from '../faq/faq-embedding.entity';
import { FaqSynonymGroup } from '../faq/faq-synonym.entity';
import { ChatMessage, Conversation } from '../llm/conversation.entity';
import { LlmUsage } from '../llm/llm-usage.entity';
import { Property } from '../properties/property.entity';
import { UserSettings } from '../users/user-settings.entity';
import { User } from '../users/user.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';

// Every entity, for tooling (mikro-orm.config.ts). The app discovers the same set through each
// module's forFeature(); a test (schema.e2e-spec.ts) keeps the two equal.
export const ALL_ENTITIES = [
  User,
  AuditLog,
  WebhookEvent,
  Property,
  FaqCategory,
  FaqDocument,
  FaqRelated,
  FaqEmbedding,
  FaqAnalyticsEvent,
  FaqSynonymGroup,
  ChatPrompt,
  ChatTool,
  Conversation,
  ChatMessage,
  LlmUsage,
  UserSettings,
];
