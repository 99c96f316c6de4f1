// What a team writes by hand: NestJS + MikroORM, `where: { product }` in every query, no tenant
// filter, no flush guard, no RLS role (it connects as the owner), no audit. Plain JS with the
// decorators applied as functions, so it needs no build. Env: PORT, DATABASE_URL (owner), PRODUCT, CLERK_JWT_KEY.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, Get, Headers, Inject, Module, NotFoundException, Param, Post, Query, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EntityManager, EntitySchema } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { defineConfig } from '@mikro-orm/postgresql';
import { importSPKI, jwtVerify } from 'jose';

const product = process.env.PRODUCT;
const key = await importSPKI(process.env.CLERK_JWT_KEY, 'RS256');

class User {}
class Property {}
const UserSchema = new EntitySchema({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    product: { type: 'string' },
    clerkUserId: { type: 'string' },
    email: { type: 'string', nullable: true },
    firstName: { type: 'string', nullable: true },
    lastName: { type: 'string', nullable: true },
    role: { type: 'string' },
    deletedAt: { type: 'Date', nullable: true },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});
const PropertySchema = new EntitySchema({
  class: Property,
  tableName: 'properties',
  properties: {
    id: { type: 'uuid', primary: true },
    product: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'text' },
    priceMinor: { type: 'bigint' },
    currency: { type: 'string' },
    bedrooms: { type: 'integer' },
    bathrooms: { type: 'integer' },
    address: { type: 'string' },
    published: { type: 'boolean' },
    createdBy: { kind: 'm:1', entity: () => User, fieldName: 'created_by' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

const toJson = (p) => ({
  id: p.id, title: p.title, description: p.description, priceMinor: Number(p.priceMinor), currency: p.currency, bedrooms: p.bedrooms,
  bathrooms: p.bathrooms, address: p.address, published: p.published, createdBy: p.createdBy.id, createdAt: p.createdAt, updatedAt: p.updatedAt,
});

async function caller(em, authorization) {
  try {
    const { payload } = await jwtVerify((authorization ?? '').replace(/^Bearer /, ''), key, { algorithms: ['RS256'], clockTolerance: 5 });
    const user = await em.findOne(User, { product, clerkUserId: payload.sub, deletedAt: null });
    if (user) {return user;}
  } catch {
    // fall through
  }
  throw new UnauthorizedException();
}

class PeerController {
  constructor(em) {
    this.em = em;
  }
  async list(query) {
    const limit = Math.min(100, Number(query.limit ?? 20));
    if (!Number.isInteger(limit) || limit < 1) {throw new BadRequestException();}
    const where = { product, published: true };
    if (query.cursor) {
      const [at, id] = JSON.parse(Buffer.from(query.cursor, 'base64url').toString());
      const date = new Date(at);
      where.createdAt = { $lte: date };
      where.$or = [{ createdAt: { $lt: date } }, { createdAt: date, id: { $lt: id } }];
    }
    const [rows, total] = await Promise.all([
      this.em.find(Property, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 }),
      // The contract's capped total, written by hand.
      this.em
        .getConnection()
        .execute('select count(*)::int as n from (select 1 from properties where product = ? and published limit 10001) c', [product])
        .then((r) => r[0].n),
    ]);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toJson), limit, offset: query.cursor ? null : 0,
      nextCursor: rows.length > limit ? Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url') : null,
      total: Math.min(total, 10000), totalExact: total <= 10000,
    };
  }
  async get(id) {
    const property = await this.em.findOne(Property, { id, product, published: true });
    if (!property) {throw new NotFoundException();}
    return toJson(property);
  }
  async me(authorization) {
    const u = await caller(this.em, authorization);
    return { id: u.id, clerkUserId: u.clerkUserId, email: u.email, firstName: u.firstName, lastName: u.lastName, role: u.role, createdAt: u.createdAt };
  }
  async create(authorization, body) {
    const user = await caller(this.em, authorization);
    const now = new Date();
    const property = this.em.create(Property, {
      id: randomUUID(), product, title: body.title, description: body.description ?? '', priceMinor: body.priceMinor, currency: body.currency,
      bedrooms: body.bedrooms, bathrooms: body.bathrooms, address: body.address, published: body.published ?? false, createdBy: user,
      createdAt: now, updatedAt: now,
    });
    await this.em.flush();
    return toJson(property);
  }
}

const proto = PeerController.prototype;
const method = (name, ...decorators) => decorators.forEach((d) => d(proto, name, Object.getOwnPropertyDescriptor(proto, name)));
const param = (name, index, decorator) => decorator(proto, name, index);
Inject(EntityManager)(PeerController, undefined, 0);
Reflect.defineMetadata('design:paramtypes', [EntityManager], PeerController);
method('list', Get('properties'));
param('list', 0, Query());
method('get', Get('properties/:id'));
param('get', 0, Param('id'));
method('me', Get('users/me'));
param('me', 0, Headers('authorization'));
method('create', Post('admin/properties'));
param('create', 0, Headers('authorization'));
param('create', 1, Body());
Controller('api/v1')(PeerController);

class HealthController {
  health() {
    return { status: 'ok' };
  }
}
Get('health')(HealthController.prototype, 'health', Object.getOwnPropertyDescriptor(HealthController.prototype, 'health'));
Controller('api')(HealthController);

class PeerModule {}
Module({
  imports: [
    MikroOrmModule.forRoot(
      defineConfig({ clientUrl: process.env.DATABASE_URL, entities: [UserSchema, PropertySchema], pool: { min: 1, max: 10 }, ensureDatabase: false, forceUtcTimezone: true }),
    ),
  ],
  controllers: [PeerController, HealthController],
})(PeerModule);

const app = await NestFactory.create(PeerModule, { logger: ['error'] });
await app.listen(Number(process.env.PORT), '127.0.0.1');
