// Command compare runs chot's decoder, zxing-cpp and zbar side by side on a
// generated picture set (see package imgset) and prints one Markdown table.
//
//	go run -tags native ./bench/compare [-gen] [-runs 3] DIR
//
// zxing-cpp (Debian libzxing-dev, 1.4) and zbar (libzbar-dev) are linked
// through cgo, so the real code is behind the native build tag; without it
// the command only says so.
package main
