/* test_pipe_command - unit tests for delivering to a command: how a
 * command is started, the exit status words (Postfix 3.7's, observed),
 * output capture, the time limit, no deadlock on chatty commands, a
 * clean environment and no leaked descriptors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "mail_copy.h"
#include "pipe_command.h"

static char *env_none[] = {"PATH=/usr/bin:/bin", "A=1", NULL};
static size_t input_len = 6;

/* write_input - the "message": input_len bytes of text */
static int
write_input(STREAM *dst, void *ctx, DSN_BUF *why)
{
    static const char line[] = "hello\n";

    for (size_t done = 0; done < input_len; done += 6)
        if (stream_write(dst, line, 6) < 0)
            break;
    if (stream_flush(dst) < 0) {
        dsb_simple(why, "4.3.0", "error writing message: %m");
        return MAIL_COPY_STAT_WRITE;
    }
    return 0;
}

/* run - run a command text with a time limit; PIPE_STAT_* */
static int
run(const char *command, int limit, DSN_BUF *why)
{
    PIPE_COMMAND cmd;

    memset(&cmd, 0, sizeof(cmd));
    cmd.command = command;
    cmd.shell = "";
    cmd.env = env_none;
    cmd.uid = getuid();
    cmd.gid = getgid();
    cmd.time_limit = limit;
    cmd.write_fn = write_input;
    return pipe_command(&cmd, why);
}

/* test_argv - direct exec, shell for metacharacters and built-ins */
static void
test_argv(void **state)
{
    const char *path;
    ARGV   *argv;

    argv = pipe_command_argv("/bin/prog a  b", "", &path);
    assert_int_equal(argv->argc, 3);
    assert_string_equal(path, "/bin/prog");
    assert_string_equal(argv->argv[2], "b");
    argv_free(argv);
    argv = pipe_command_argv("/bin/prog a 'b 2'", "", &path);
    assert_int_equal(argv->argc, 3);
    assert_string_equal(path, "/bin/sh");
    assert_string_equal(argv->argv[0], "sh");
    assert_string_equal(argv->argv[1], "-c");
    assert_string_equal(argv->argv[2], "/bin/prog a 'b 2'");
    argv_free(argv);
    argv = pipe_command_argv("exit 67", NULL, &path);
    assert_string_equal(path, "/bin/sh");
    argv_free(argv);
    argv = pipe_command_argv("prog", "/bin/bash -c", &path);
    assert_int_equal(argv->argc, 3);
    assert_string_equal(path, "/bin/bash");
    assert_string_equal(argv->argv[2], "prog");
    argv_free(argv);
}

/* test_ok - the input arrives; exit 0 */
static void
test_ok(void **state)
{
    DSN_BUF *why = dsb_create();
    char    path[] = "/tmp/test_pipe_command.XXXXXX";
    char    cmd[100];
    char    buf[100];
    int     fd = mkstemp(path);

    snprintf(cmd, sizeof(cmd), "cat > %s", path);
    assert_int_equal(run(cmd, 10, why), PIPE_STAT_OK);
    assert_int_equal(read(fd, buf, sizeof(buf)), 6);
    assert_memory_equal(buf, "hello\n", 6);
    close(fd);
    unlink(path);
    dsb_free(why);
}

/* test_exit_codes - sysexits words, other codes, enhanced codes */
static void
test_exit_codes(void **state)
{
    DSN_BUF *why = dsb_create();

    assert_int_equal(run("exit 75", 10, why), PIPE_STAT_DEFER);
    assert_string_equal(buf_str(why->status), "4.3.0");
    assert_string_equal(buf_str(why->reason), "temporary failure");
    assert_string_equal(buf_str(why->dtype), "x-unix");
    assert_string_equal(buf_str(why->dtext), "temporary failure");
    assert_int_equal(run("echo some output; echo more >&2; exit 67", 10,
                         why), PIPE_STAT_BOUNCE);
    assert_string_equal(buf_str(why->status), "5.1.1");
    assert_string_equal(buf_str(why->reason),
                        "user unknown. Command output: some output more ");
    assert_string_equal(buf_str(why->dtext), "some output more ");
    assert_int_equal(run("echo out; exit 13", 10, why), PIPE_STAT_BOUNCE);
    assert_string_equal(buf_str(why->status), "5.3.0");
    assert_string_equal(buf_str(why->reason),
                        "Command died with status 13: \"echo out; exit 13\"."
                        " Command output: out ");
    assert_int_equal(run("echo 4.7.1 enhanced code output; exit 1", 10, why),
                     PIPE_STAT_DEFER);
    assert_string_equal(buf_str(why->status), "4.7.1");
    assert_string_equal(buf_str(why->reason), "enhanced code output ");
    assert_int_equal(run("kill -9 $$", 10, why), PIPE_STAT_DEFER);
    assert_string_equal(buf_str(why->status), "4.3.0");
    assert_string_equal(buf_str(why->reason),
                        "Command died with signal 9: \"kill -9 $$\"");
    assert_int_equal(run("/nonexistent/prog", 10, why), PIPE_STAT_DEFER);
    assert_string_equal(buf_str(why->reason), "system resource problem. "
                        "Command output: execvp /nonexistent/prog: "
                        "No such file or directory ");
    dsb_free(why);
}

/* test_time_limit - the command is killed */
static void
test_time_limit(void **state)
{
    DSN_BUF *why = dsb_create();
    time_t  start = time(NULL);

    assert_int_equal(run("sleep 30", 1, why), PIPE_STAT_BOUNCE);
    assert_true(time(NULL) - start < 5);
    assert_string_equal(buf_str(why->status), "5.3.0");
    assert_string_equal(buf_str(why->reason),
                        "Command time limit exceeded: \"sleep 30\"");
    assert_string_equal(buf_str(why->dtext), "internal software error");
    dsb_free(why);
}

/* test_big_io - a command that talks before it reads, one that does not
 * read at all: no deadlock, output kept up to the limit */
static void
test_big_io(void **state)
{
    DSN_BUF *why = dsb_create();

    input_len = 600000;
    assert_int_equal(run("seq 1 100000; cat >/dev/null; exit 1", 20, why),
                     PIPE_STAT_BOUNCE);
    assert_int_equal(buf_len(why->dtext), PIPE_COMMAND_OUTPUT_MAX);
    assert_int_equal(run("true", 20, why), PIPE_STAT_OK);
    input_len = 6;
    dsb_free(why);
}

/* test_environment - exactly the given environment, cwd, descriptors */
static void
test_environment(void **state)
{
    DSN_BUF *why = dsb_create();
    PIPE_COMMAND cmd;
    char   *argv[] = {"/usr/bin/env", NULL};
    char    check[100];
    int     fd = open("/dev/null", O_RDONLY);   /* no close-on-exec */

    memset(&cmd, 0, sizeof(cmd));
    cmd.argv = argv;
    cmd.env = env_none;
    cmd.uid = getuid();
    cmd.gid = getgid();
    cmd.time_limit = 10;
    cmd.write_fn = write_input;
    cmd.cwd = "/tmp";
    assert_int_equal(pipe_command(&cmd, why), PIPE_STAT_OK);
    snprintf(check, sizeof(check), "[ -e /proc/$$/fd/%d ] && exit 9; "
             "env; pwd; exit 3", fd);
    assert_int_equal(run(check, 10, why), PIPE_STAT_BOUNCE);
    assert_non_null(strstr(buf_str(why->dtext), "A=1 "));
    assert_null(strstr(buf_str(why->dtext), "HOME="));
    cmd.argv = NULL;
    cmd.command = "pwd; exit 3";
    cmd.shell = "";
    assert_int_equal(pipe_command(&cmd, why), PIPE_STAT_BOUNCE);
    assert_string_equal(buf_str(why->dtext), "/tmp ");
    close(fd);
    dsb_free(why);
}

/* test_output_and_chroot - the output of a command that exited 0 (for
 * pipe(8)'s "delivered via SERVICE service (OUTPUT)"); a chroot that
 * cannot be entered defers */
static void
test_output_and_chroot(void **state)
{
    DSN_BUF *why = dsb_create();
    BUF    *output = buf_alloc(10);
    PIPE_COMMAND cmd;

    memset(&cmd, 0, sizeof(cmd));
    cmd.command = "printf 'line one\\nline two\\n \\n'";
    cmd.shell = "";
    cmd.env = env_none;
    cmd.uid = getuid();
    cmd.gid = getgid();
    cmd.time_limit = 10;
    cmd.write_fn = write_input;
    cmd.output = output;
    assert_int_equal(pipe_command(&cmd, why), PIPE_STAT_OK);
    assert_string_equal(buf_str(output), "line one line two");
    cmd.command = "true";
    assert_int_equal(pipe_command(&cmd, why), PIPE_STAT_OK);
    assert_string_equal(buf_str(output), "");
    cmd.chroot = "/nonexistent/postern";
    assert_int_equal(pipe_command(&cmd, why), PIPE_STAT_DEFER);
    assert_string_equal(buf_str(why->status), "4.3.0");
    assert_non_null(strstr(buf_str(why->reason), "temporary failure. "
                           "Command output: chroot /nonexistent/postern: "));
    buf_free(output);
    dsb_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argv),
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_big_io),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_output_and_chroot),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
