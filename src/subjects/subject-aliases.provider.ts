import { Injectable } from '@nestjs/common';
import { SubjectAliases } from '../audit';
import { isUuid } from './subject-lookup.service';
import { SubjectsRepository } from './subjects.repository';

/** For the audit log: a survivor's entries include those written under the ids merged into it. */
@Injectable()
export class SubjectAliasesProvider extends SubjectAliases {
  constructor(private readonly repo: SubjectsRepository) {
    super();
  }

  async aliasesOf(subjectId: string): Promise<string[]> {
    if (!isUuid(subjectId)) return [subjectId];
    return [subjectId, ...(await this.repo.mergedInto(subjectId))];
  }
}
