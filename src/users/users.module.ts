import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { AuthController, MeController } from './auth.controller';
import { LoginService } from './login.service';
import { sessionHook } from './session-cookie';
import { StaffSessions } from './staff-sessions.service';
import { UsersController } from './users.controller';
import { USERS_ENTITIES } from './users.entities';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Staff users, passwords, TOTP and sessions (PRODUCT.md 11). */
@Module({
  imports: [TypeOrmModule.forFeature(USERS_ENTITIES)],
  controllers: [AuthController, MeController, UsersController],
  providers: [UsersService, UsersRepository, LoginService, StaffSessions],
  exports: [UsersService, LoginService, StaffSessions],
})
export class UsersModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: StaffSessions,
  ) {}

  onModuleInit(): void {
    // Absent in the worker role, which has no HTTP server.
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    fastify?.addHook('preHandler', sessionHook(this.sessions));
  }
}
