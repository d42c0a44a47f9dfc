import { Module } from '@nestjs/common';
import { BoardService } from './board.service.js';
import { LiveGateway } from './live.gateway.js';

@Module({ providers: [BoardService, LiveGateway], exports: [LiveGateway] })
export class LiveModule {}
