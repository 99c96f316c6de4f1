import { Global, Module } from '@nestjs/common';
import { ProductRegistry } from './product-registry.service';

// Global: health, the suspension gate and the model clients all read the registry.
@Global()
@Module({
  providers: [ProductRegistry],
  exports: [ProductRegistry],
})
export class ProductsModule {}
