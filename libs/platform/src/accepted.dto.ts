import { ApiProperty } from '@nestjs/swagger';

/** The 202 body of a command whose read model did not catch up within the bound (or `Prefer: respond-async`). */
export class AcceptedDto {
  @ApiProperty({ example: 'accepted' }) status!: string;
  @ApiProperty() version!: number;
  @ApiProperty() location!: string;
}
