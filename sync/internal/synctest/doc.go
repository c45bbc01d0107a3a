// Package synctest holds what the sync packages' tests share: the table of
// hub storage backends (SQLite, and PostgreSQL from CHOT_TEST_POSTGRES), a
// fault-injecting proxy, and helpers to sign and post batches. Tests only.
package synctest
