import { Answerer, type Answer, type AnswerRequest, ExtractiveAnswerer, type RunOptions } from '../llm/answerer';
import { EmbeddingProvider, LocalHashingEmbeddingProvider } from '../faq/embedding-provider';
import type { ProductRegistry } from './product-registry.service';

/**
 * The model clients read the effective settings (environment, else the product registry) on each
 * use, so a rotated key or a new endpoint is picked up within one registry poll, without a restart.
 */
export class RegistryAnswerer extends Answerer {
  private cached?: { signature: string; answerer: Answerer };

  constructor(
    private readonly registry: ProductRegistry,
    private readonly defaultModel: string,
    /** The signed-in caller's own key, when they set one: it is used for them and no one else. */
    private readonly callerKey: () => Promise<string | undefined>,
    /** The model-backed answerer for one endpoint, key and model (the assistant's tools and metering included). */
    private readonly modelAnswerer: (baseUrl: string, apiKey: string, model: string) => Answerer,
  ) {
    super();
  }

  get name(): string {
    return this.current(this.registry.setting('LLM_API_KEY')).name;
  }

  override unavailableFor(): number | undefined {
    return this.current(this.registry.setting('LLM_API_KEY')).unavailableFor();
  }

  async answer(request: AnswerRequest, options?: RunOptions): Promise<Answer> {
    const key = (await this.callerKey()) ?? this.registry.setting('LLM_API_KEY');
    return this.current(key).answer(request, options);
  }

  private readonly extractive = new ExtractiveAnswerer();

  private current(apiKey: string | undefined): Answerer {
    const baseUrl = this.registry.setting('LLM_BASE_URL');
    const model = this.registry.setting('LLM_MODEL') ?? this.defaultModel;
    if (!baseUrl || !apiKey) {
      return this.extractive;
    }
    const signature = `${baseUrl}\n${apiKey}\n${model}`;
    if (this.cached?.signature !== signature) {
      this.cached = { signature, answerer: this.modelAnswerer(baseUrl, apiKey, model) };
    }
    return this.cached.answerer;
  }
}

export class RegistryEmbeddingProvider extends EmbeddingProvider {
  private readonly local = new LocalHashingEmbeddingProvider();
  private cached?: { signature: string; provider: EmbeddingProvider };

  constructor(
    private readonly registry: ProductRegistry,
    private readonly defaultModel: string,
    /** The remote provider for one endpoint, key and model (with the app's outbound policy). */
    private readonly remote: (baseUrl: string, apiKey: string, model: string) => EmbeddingProvider,
  ) {
    super();
  }

  get model(): string {
    return this.current().model;
  }

  get minSimilarity(): number {
    return this.current().minSimilarity;
  }

  embed(texts: string[]): Promise<number[][]> {
    return this.current().embed(texts);
  }

  private current(): EmbeddingProvider {
    const baseUrl = this.registry.setting('EMBEDDINGS_BASE_URL');
    const apiKey = this.registry.setting('EMBEDDINGS_API_KEY');
    const model = this.registry.setting('EMBEDDINGS_MODEL') ?? this.defaultModel;
    if (!baseUrl || !apiKey) {
      return this.local;
    }
    const signature = `${baseUrl}\n${apiKey}\n${model}`;
    if (this.cached?.signature !== signature) {
      this.cached = { signature, provider: this.remote(baseUrl, apiKey, model) };
    }
    return this.cached.provider;
  }
}
