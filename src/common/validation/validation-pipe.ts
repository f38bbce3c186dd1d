import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ProblemError } from '../problem/problem.error';

function flattenErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      // class-validator starts a message with the property's name, but an unknown one with "property <name>".
      message: message.startsWith(`property ${e.property} `)
        ? message.slice('property '.length)
        : message.replace(/^.*? /, `${e.property} `),
    }));
    return [...own, ...flattenErrors(e.children ?? [], field)];
  });
}

/** The global pipe: DTOs validated and transformed; unknown fields refused; field errors named in problem+json. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // Values are never echoed back: they may be personal data.
  validationError: { target: false, value: false },
  exceptionFactory: (errors) =>
    new ProblemError('validation_failed', 'The request is not valid.', { errors: flattenErrors(errors) }),
});
