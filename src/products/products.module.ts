import { Global, Module } from '@nestjs/common';
import { ProductRegistry } from './product-registry.service';
import { RetentionService } from './retention.service';

// Global: health, the suspension gate and the model clients all read the registry.
@Global()
@Module({
  providers: [ProductRegistry, RetentionService],
  exports: [ProductRegistry, RetentionService],
})
export class ProductsModule {}
