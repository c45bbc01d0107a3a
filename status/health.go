package status

import "time"

// HealthInfo is the daemon's health beyond the checkpoint's own state.
type HealthInfo struct {
	Camera CameraHealth `json:"camera"`
	// Online is whether the hub answered the last sync.
	Online bool `json:"online"`
	// Backlog is the number of passes not yet acknowledged by the hub.
	Backlog       uint64    `json:"backlog"`
	LastSync      time.Time `json:"last_sync,omitzero"`
	LastSyncError string    `json:"last_sync_error,omitempty"`
	Disk          DiskUsage `json:"disk"`
	// StoreBytes is the size of the pass log file.
	StoreBytes int64 `json:"store_bytes"`
}

// CameraHealth is the frame source's health.
type CameraHealth struct {
	Source    string    `json:"source,omitempty"` // e.g. /dev/video0
	Running   bool      `json:"running"`
	FPS       float64   `json:"fps"`
	LastFrame time.Time `json:"last_frame,omitzero"`
	Errors    uint64    `json:"errors"`
	LastError string    `json:"last_error,omitempty"`
}

// DiskUsage is the free and used space of the file system of the data dir.
type DiskUsage struct {
	Path       string `json:"path,omitempty"`
	TotalBytes uint64 `json:"total_bytes"`
	FreeBytes  uint64 `json:"free_bytes"`
	UsedBytes  uint64 `json:"used_bytes"`
}
