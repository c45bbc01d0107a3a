#ifdef __cplusplus
extern "C" {
#endif
void *zb_new(void);
int zb_decode(void *s, const unsigned char *pix, int w, int h, char *out, int cap);
void *cv_new(void);
int cv_decode(void *d, const unsigned char *pix, int w, int h, char *out, int cap);
#ifdef __cplusplus
}
#endif
