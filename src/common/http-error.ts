import { STATUS_CODES } from 'node:http';

export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
}

export function httpErrorBody(statusCode: number, message: string, requestId: string): HttpErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId };
}
