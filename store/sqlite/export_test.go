package sqlite

import "context"

// ExecForTest runs raw SQL; only the tests of this package can see it.
func (s *Store) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := s.db.ExecContext(ctx, q, args...)
	return err
}
