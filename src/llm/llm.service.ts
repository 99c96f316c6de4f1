import { BadGatewayException, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { RetryLaterException } from '../common/unavailable';
import { ChatPromptsService } from '../chat-config/chat-prompts.service';
import { orNotFound } from '../common/not-found';
import { paginate } from '../common/pagination';
import { mapPage, type PageQuery } from '../common/pagination.dto';
import { FaqSearchService } from '../faq/faq-search.service';
import { User } from '../users/user.entity';
import { type Answer, Answerer, AnswererUnavailableError, type HistoryMessage, type RunOptions } from './answerer';
import { ChatMessage, Conversation } from './conversation.entity';
import type { ChatResponse, ConversationPage, ConversationResponse } from './llm.dto';
import { toConversationResponse, toConversationSummary } from './llm.dto';
import { LlmUsageService } from './llm-usage.service';
import { LlmRepository } from './llm.repository';

const SOURCES_PER_ANSWER = 3;
const HISTORY_MESSAGES = 20;
const TITLE_LENGTH = 80;
// Used only until an admin activates a `system` prompt for the product.
const FALLBACK_SYSTEM_PROMPT =
  'You are a helpful assistant. Answer only from the FAQ entries provided; if they do not contain the answer, say so.';

/** A chat checked and ready to run: ownership and budgets are settled before any byte is streamed. */
export interface PreparedChat {
  user: User;
  message: string;
  conversation: Conversation;
  isNew: boolean;
}

@Injectable()
export class LlmService {
  constructor(
    private readonly em: EntityManager,
    private readonly faqSearch: FaqSearchService,
    private readonly prompts: ChatPromptsService,
    private readonly answerer: Answerer,
    private readonly usage: LlmUsageService,
    private readonly repository: LlmRepository,
  ) {}

  async chat(user: User, message: string, conversationId?: string): Promise<ChatResponse> {
    return this.run(await this.prepare(user, message, conversationId));
  }

  async prepare(user: User, message: string, conversationId?: string): Promise<PreparedChat> {
    // The model's breaker is open: answer at once instead of searching for a call that cannot be made.
    const closedFor = this.answerer.unavailableFor();
    if (closedFor !== undefined) {
      throw new RetryLaterException('The assistant is unavailable right now; please try again later', closedFor);
    }
    const conversation = conversationId
      ? await this.ownConversation(user, conversationId)
      : new Conversation(user, message.trim().replace(/\s+/g, ' ').slice(0, TITLE_LENGTH) || 'Conversation');
    await this.usage.assertWithinBudget(user);
    return { user, message, conversation, isNew: !conversationId };
  }

  async run({ user, message, conversation, isNew }: PreparedChat, options: RunOptions = {}): Promise<ChatResponse> {
    const history = isNew ? [] : await this.history(conversation);
    const matches = await this.faqSearch.search(message, SOURCES_PER_ANSWER);
    const systemPrompt = (await this.prompts.activeContent('system')) ?? FALLBACK_SYSTEM_PROMPT;
    let answer: Answer;
    try {
      answer = await this.answerer.answer({ user, systemPrompt, question: message, matches, history }, options);
    } catch (error) {
      if (error instanceof AnswererUnavailableError && error.retryAfterSeconds !== undefined) {
        throw new RetryLaterException('The assistant is unavailable right now; please try again later', error.retryAfterSeconds);
      }
      if (error instanceof AnswererUnavailableError) {
        throw new BadGatewayException('The assistant is unavailable right now; please try again');
      }
      throw error;
    }
    this.store(conversation, message, answer);
    await this.em.flush();
    return { conversationId: conversation.id, reply: answer.reply, sources: answer.sources };
  }

  async list(user: User, query: PageQuery): Promise<ConversationPage> {
    const conversations = await paginate(this.em, Conversation, { user }, query, { orderBy: { updatedAt: 'desc', id: 'desc' } });
    const counts = await this.repository.messageCounts(conversations.items.map((c) => c.id));
    return mapPage(conversations, (c) => toConversationSummary(c, counts.get(c.id) ?? 0));
  }

  async conversation(user: User, id: string, query: PageQuery): Promise<ConversationResponse> {
    const conversation = await this.ownConversation(user, id);
    const messages = await paginate(this.em, ChatMessage, { conversation }, query, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return toConversationResponse(conversation, messages);
  }

  // Its messages go with it in the same statement (chat_messages' foreign key is ON DELETE CASCADE);
  // the deletion is audited like any other.
  async remove(user: User, id: string): Promise<void> {
    const conversation = await this.ownConversation(user, id);
    await this.em.remove(conversation).flush();
  }

  // Everything is written in one flush, after the model answered: a failed answer leaves no trace.
  private store(conversation: Conversation, message: string, answer: Answer): void {
    const asked = new ChatMessage(conversation, 'user', message);
    const written = [asked];
    for (const exchange of answer.tools) {
      const tool = new ChatMessage(conversation, 'tool', exchange.result);
      tool.toolName = exchange.name;
      tool.toolArguments = exchange.arguments;
      written.push(tool);
    }
    written.push(new ChatMessage(conversation, 'assistant', answer.reply, answer.sources));
    // Keep the messages in order even when they were made within the same millisecond.
    let at = Math.max(Date.now(), asked.createdAt.getTime());
    for (const [index, entry] of written.entries()) {
      entry.createdAt = new Date(at + index);
      entry.updatedAt = entry.createdAt;
    }
    at += written.length - 1;
    conversation.updatedAt = new Date(at);
    this.em.persist([conversation, ...written]);
  }

  // Someone else's conversation is indistinguishable from one that does not exist.
  private async ownConversation(user: User, id: string): Promise<Conversation> {
    return orNotFound(await this.em.findOne(Conversation, { id, user }), 'Conversation not found');
  }

  // The model sees the questions and answers; the tool exchanges of earlier turns stay in the log.
  private async history(conversation: Conversation): Promise<HistoryMessage[]> {
    const recent = await this.em.find(
      ChatMessage,
      { conversation, role: { $in: ['user', 'assistant'] } },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: HISTORY_MESSAGES },
    );
    return recent.reverse().map((m) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.content }));
  }
}
