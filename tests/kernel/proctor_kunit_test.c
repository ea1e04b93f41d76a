// SPDX-License-Identifier: GPL-2.0
/*
 * proctor's own KUnit suite, built into the tests' kernel
 * (tests/kernel/build_kernel.sh adds it to lib/): a case that passes, one
 * that skips, and, when the kernel's command line asks for them, one that
 * fails, one that crashes the kernel and one that hangs. proctor's tests
 * read its KTAP through `proctor kunit`.
 *
 *   proctor_kunit_test.fail=1   proctor_fails fails an expectation
 *   proctor_kunit_test.crash=1  proctor_crashes panics the kernel
 *   proctor_kunit_test.hang=1   proctor_hangs never returns
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

static bool fail;
module_param(fail, bool, 0444);
static bool crash;
module_param(crash, bool, 0444);
static bool hang;
module_param(hang, bool, 0444);

static void proctor_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void proctor_skips(struct kunit *test)
{
	kunit_skip(test, "proctor's deliberate skip");
}

static void proctor_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, fail ? 3 : 2,
			    "proctor's deliberate failure");
}

static void proctor_crashes(struct kunit *test)
{
	if (crash)
		panic("proctor_kunit_test: the crash asked for");
	KUNIT_EXPECT_FALSE(test, crash);
}

static void proctor_hangs(struct kunit *test)
{
	while (hang)
		msleep(1000);
	KUNIT_EXPECT_FALSE(test, hang);
}

static struct kunit_case proctor_cases[] = {
	KUNIT_CASE(proctor_passes),
	KUNIT_CASE(proctor_skips),
	KUNIT_CASE(proctor_fails),
	KUNIT_CASE(proctor_crashes),
	KUNIT_CASE(proctor_hangs),
	{}
};

static struct kunit_suite proctor_suite = {
	.name = "proctor",
	.test_cases = proctor_cases,
};

kunit_test_suite(proctor_suite);

MODULE_LICENSE("GPL");
