import { type DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BootModule } from './boot/boot-tasks';
import { ChatConfigModule } from './chat-config/chat-config.module';
import { type AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { ormOptions } from './database/orm-options';
import { FaqModule } from './faq/faq.module';
import { HealthModule } from './health/health.module';
import { HttpCacheModule } from './common/http-cache';
import { LlmModule } from './llm/llm.module';
import { ProductsModule } from './products/products.module';
import { ObservabilityModule } from './observability/observability.module';
import { PropertiesModule } from './properties/properties.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TenancyModule } from './tenancy/tenancy.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppModuleOptions {
  config: AppConfig;
  /** The product's runtime-role connection (see prepareDatabase). */
  runtimeDatabaseUrl: string;
  /** Tests: no log output unless a test asks for it (config.ops.log.destination). */
  quietLogs?: boolean;
}

@Module({})
export class AppModule {
  static register({ config, runtimeDatabaseUrl, quietLogs = false }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.register(config),
        MikroOrmModule.forRoot({ ...ormOptions(runtimeDatabaseUrl, config.resilience.database, config.connections.replicaUrls), autoLoadEntities: true, registerRequestContext: true }),
        ObservabilityModule.register(config, quietLogs),
        RateLimitModule,
        TenancyModule,
        BootModule,
        ProductsModule,
        AuthModule,
        UsersModule,
        WebhooksModule,
        AuditModule,
        HealthModule,
        HttpCacheModule,
        PropertiesModule,
        FaqModule,
        ChatConfigModule,
        LlmModule,
      ],
    };
  }
}
