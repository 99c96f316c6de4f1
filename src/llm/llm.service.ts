import { BadGatewayException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { RetryLaterException } from '../common/unavailable';
import { ChatPromptsService } from '../chat-config/chat-prompts.service';
import { FaqSearchService } from '../faq/faq-search.service';
import { User } from '../users/user.entity';
import { Answerer, AnswererUnavailableError } from './answerer';
import { ChatMessage, Conversation } from './conversation.entity';
import type { ChatResponse } from './llm.dto';

const SOURCES_PER_ANSWER = 3;
const HISTORY_MESSAGES = 10;
// Used only until an admin activates a `system` prompt for the product.
const FALLBACK_SYSTEM_PROMPT =
  'You are a helpful assistant. Answer only from the FAQ entries provided; if they do not contain the answer, say so.';

@Injectable()
export class LlmService {
  constructor(
    private readonly em: EntityManager,
    private readonly faqSearch: FaqSearchService,
    private readonly prompts: ChatPromptsService,
    private readonly answerer: Answerer,
  ) {}

  async chat(user: User, message: string, conversationId?: string): Promise<ChatResponse> {
    // The model's breaker is open: answer at once instead of searching for a call that cannot be made.
    const closedFor = this.answerer.unavailableFor();
    if (closedFor !== undefined) {
      throw new RetryLaterException('The assistant is unavailable right now; please try again later', closedFor);
    }
    const conversation = conversationId
      ? await this.ownConversation(user, conversationId)
      : new Conversation(user, message.trim().slice(0, 80) || 'Conversation');
    const history = conversationId ? await this.history(conversation) : [];

    const matches = await this.faqSearch.search(message, SOURCES_PER_ANSWER);
    const systemPrompt = (await this.prompts.activeContent('system')) ?? FALLBACK_SYSTEM_PROMPT;
    let answer;
    try {
      answer = await this.answerer.answer({ systemPrompt, question: message, matches, history });
    } catch (error) {
      if (error instanceof AnswererUnavailableError && error.retryAfterSeconds !== undefined) {
        throw new RetryLaterException('The assistant is unavailable right now; please try again later', error.retryAfterSeconds);
      }
      if (error instanceof AnswererUnavailableError) {
        throw new BadGatewayException('The assistant is unavailable right now; please try again');
      }
      throw error;
    }

    // Both messages are written in one flush, after the model answered: a failed answer leaves no trace.
    const asked = new ChatMessage(conversation, 'user', message);
    const answered = new ChatMessage(conversation, 'assistant', answer.reply, answer.sources);
    // Keep the pair in order even when the answer came back within the same millisecond.
    answered.createdAt = new Date(Math.max(Date.now(), asked.createdAt.getTime() + 1));
    conversation.updatedAt = answered.createdAt;
    this.em.persist([conversation, asked, answered]);
    await this.em.flush();
    return { conversationId: conversation.id, reply: answer.reply, sources: answer.sources };
  }

  async conversation(user: User, id: string): Promise<{ conversation: Conversation; messages: ChatMessage[] }> {
    const conversation = await this.ownConversation(user, id);
    const messages = await this.em.find(ChatMessage, { conversation }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return { conversation, messages };
  }

  // Someone else's conversation is indistinguishable from one that does not exist.
  private async ownConversation(user: User, id: string): Promise<Conversation> {
    const conversation = await this.em.findOne(Conversation, { id, user });
    if (!conversation) {
      throw new NotFoundException('Conversation not found');
    }
    return conversation;
  }

  private async history(conversation: Conversation): Promise<Array<{ role: 'user' | 'assistant'; content: string }>> {
    const recent = await this.em.find(
      ChatMessage,
      { conversation },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: HISTORY_MESSAGES },
    );
    return recent.reverse().map((m) => ({ role: m.role, content: m.content }));
  }
}
