/* A server that dies mid-session: calls fail with TOZ_ERROR_KIND_NETWORK, never crash, and leak
 * nothing (this test also runs under valgrind). It starts its own toz-server (TOZ_SERVER_BIN) so
 * it can kill it without disturbing the other live tests. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

int main(void) {
  const char *server_bin = live_env("TOZ_SERVER_BIN");
  char dir[] = "/tmp/toz-stopped-XXXXXX", database[256], command[1024], line[256];
  int out[2];
  pid_t server;
  FILE *listening;
  char *url, *token;
  toz_credentials *creds = SENTINEL;
  toz_client *client = SENTINEL;
  char *rec = SENTINEL;

  CHECK(mkdtemp(dir) != NULL);
  snprintf(database, sizeof database, "sqlite://%s/toz.db", dir);
  CHECK(pipe(out) == 0);
  server = fork();
  CHECK(server >= 0);
  if (server == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(server_bin, server_bin, "serve", "--listen", "127.0.0.1:0", "--database", database, "--log-level", "error",
          (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  listening = fdopen(out[0], "r");
  CHECK(listening != NULL && fgets(line, sizeof line, listening) != NULL);
  line[strcspn(line, "\n")] = '\0';
  CHECK(strncmp(line, "listening on ", 13) == 0);
  url = line + 13;

  snprintf(command, sizeof command, "\"%s\" account create --database \"%s\" --email o@example.com >/dev/null 2>&1",
           server_bin, database);
  CHECK(system(command) == 0);
  snprintf(command, sizeof command, "\"%s\" token create --database \"%s\" --email o@example.com", server_bin, database);
  token = command_output(command);

  EXPECT_OK(toz_register(url, token, "doomed", false, "{\"retries\":0,\"timeout_ms\":5000}", &creds));
  EXPECT_OK(toz_client_new(creds, "{\"retries\":0,\"timeout_ms\":5000}", &client));
  EXPECT_OK(toz_client_write_record(client, "t", "{\"a\":\"b\"}", NULL, &rec));
  toz_free_string(rec);

  CHECK(kill(server, SIGKILL) == 0);
  CHECK(waitpid(server, NULL, 0) == server);
  fclose(listening);

  rec = SENTINEL;
  EXPECT_KIND(toz_client_write_record(client, "t", "{\"a\":\"b\"}", NULL, &rec), NETWORK);
  CHECK(rec == SENTINEL);
  EXPECT_KIND(toz_client_read_record(client, "00000000-0000-4000-8000-000000000001", NULL, &rec), NETWORK);
  EXPECT_KIND(toz_client_share(client, "t", "00000000-0000-4000-8000-000000000002"), NETWORK);

  toz_free_client(client);
  toz_free_credentials(creds);
  free(token);
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
  puts("test_server_stopped: ok");
  return 0;
}
