//go:build unix

package status

import (
	"fmt"
	"syscall"
)

// StatDisk returns the usage of the file system holding path, for HealthInfo.
func StatDisk(path string) (DiskUsage, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return DiskUsage{}, fmt.Errorf("status: statfs %s: %w", path, err)
	}
	bs := uint64(st.Bsize)
	total := st.Blocks * bs
	free := st.Bavail * bs
	return DiskUsage{Path: path, TotalBytes: total, FreeBytes: free, UsedBytes: total - st.Bfree*bs}, nil
}
