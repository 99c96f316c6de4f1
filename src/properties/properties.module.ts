import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Property } from './property.entity';

@Module({
  imports: [MikroOrmModule.forFeature([Property])],
})
export class PropertiesModule {}
