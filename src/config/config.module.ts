import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { AppConfig } from './app-config';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

// The config is validated before Nest starts (main.ts / the test harness) and handed in here, so
// two apps with different products can live in one process (as the e2e tests do).
@Global()
@Module({})
export class AppConfigModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, skipProcessEnv: true, load: [() => ({ app: config })] }),
      ],
      providers: [
        { provide: APP_CONFIG, inject: [ConfigService], useFactory: (cs: ConfigService) => cs.getOrThrow<AppConfig>('app') },
      ],
      exports: [APP_CONFIG],
    };
  }
}
