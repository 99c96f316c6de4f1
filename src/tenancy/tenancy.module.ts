import { Global, Module } from '@nestjs/common';
import { TenantContext } from './tenant-context';
import { TenantRunner } from './tenant-runner';

@Global()
@Module({
  providers: [TenantContext, TenantRunner],
  exports: [TenantContext, TenantRunner],
})
export class TenancyModule {}
