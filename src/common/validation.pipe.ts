import { type ArgumentMetadata, Injectable, type PipeTransform, ValidationPipe } from '@nestjs/common';

/**
 * One rule for every route: unknown query parameters are dropped (clients add cache busters such as
 * `?_=123`), unknown body fields are 400 (a typo, or a `product` field, must not pass silently).
 * Known values are validated and transformed either way.
 */
@Injectable()
export class ContractValidationPipe implements PipeTransform {
  private readonly query = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, transform: true });
  private readonly strict = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

  transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return (metadata.type === 'query' ? this.query : this.strict).transform(value, metadata) as Promise<unknown>;
  }
}
