import {
  Controller,
  Get,
  Inject,
  Injectable,
  ServiceUnavailableException,
  type INestApplication,
} from '@nestjs/common';
import { ApiOperation, ApiTags, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Access, PRODUCER_KEY_SCHEME, SESSION_SCHEME } from '../http/access.js';

/** Holds the OpenAPI document built at start-up from the real controllers. */
@Injectable()
export class OpenApiDocument {
  private document: OpenAPIObject | undefined;

  /** Generates the document from every controller of `app`; main.ts calls it once, before listening. */
  build(app: INestApplication): OpenAPIObject {
    const config = new DocumentBuilder()
      .setTitle('District Monitor')
      .setDescription(
        'Live district crime and road-safety monitoring. Every operation names its access level in ' +
          '`x-access`: public, producer (a producer key), or the least role of a user session ' +
          '(viewer < operator < admin). Sessions come from POST /api/auth/login.',
      )
      .setVersion('1')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'from POST /api/auth/login' },
        SESSION_SCHEME,
      )
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          description: 'a producer key, dmk_...; also accepted as X-Api-Key',
        },
        PRODUCER_KEY_SCHEME,
      )
      .build();
    this.document = SwaggerModule.createDocument(app, config);
    return this.document;
  }

  get current(): OpenAPIObject {
    if (this.document === undefined)
      throw new ServiceUnavailableException('the OpenAPI document is not built yet');
    return this.document;
  }
}

@ApiTags('meta')
@Controller('api')
export class OpenApiController {
  constructor(@Inject(OpenApiDocument) private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  @Access('public')
  @ApiOperation({ summary: 'This OpenAPI 3 document, generated from the controllers' })
  get(): OpenAPIObject {
    return this.document.current;
  }
}
