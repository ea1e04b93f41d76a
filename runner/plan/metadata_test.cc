#include "runner/plan/metadata.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(MetadataTest, ReadsEveryKeyFromAShellComment) {
  absl::StatusOr<Metadata> md = ParseMetadata(
      "#!/bin/sh\n# proctor: timeout=90 where=guest tags=slow,net "
      "requires=cmd:qemu-img,root format=tap\n");
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(*md->timeout, absl::Seconds(90));
  EXPECT_EQ(*md->where, Where::kGuest);
  EXPECT_EQ(*md->format, OutputFormat::kTap);
  EXPECT_THAT(md->tags, ElementsAre("slow", "net"));
  EXPECT_THAT(md->requires_, ElementsAre("cmd:qemu-img", "root"));
}

TEST(MetadataTest, AnyCommentLeaderWorks) {
  for (const char* text : {"// proctor: timeout=5s", "-- proctor: timeout=5s",
                           "/* proctor: timeout=5s */", "; proctor: timeout=5s",
                           "  #   proctor:   timeout=5s  "}) {
    absl::StatusOr<Metadata> md = ParseMetadata(text);
    ASSERT_TRUE(md.ok()) << text;
    ASSERT_TRUE(md->timeout.has_value()) << text;
    EXPECT_EQ(*md->timeout, absl::Seconds(5)) << text;
  }
}

TEST(MetadataTest, MarkerInsideCodeIsNotMetadata) {
  absl::StatusOr<Metadata> md =
      ParseMetadata("echo \"proctor: timeout=bogus\"\nprint('proctor: x')\n");
  ASSERT_TRUE(md.ok());
  EXPECT_FALSE(md->timeout.has_value());
}

TEST(MetadataTest, SeveralLinesAddUp) {
  absl::StatusOr<Metadata> md = ParseMetadata(
      "# proctor: requires=cmd:a tags=x\n# proctor: requires=cmd:b tags=y\n");
  ASSERT_TRUE(md.ok());
  EXPECT_THAT(md->requires_, ElementsAre("cmd:a", "cmd:b"));
  EXPECT_THAT(md->tags, ElementsAre("x", "y"));
}

TEST(MetadataTest, UnknownKeyIsAnError) {
  absl::StatusOr<Metadata> md = ParseMetadata("# proctor: timout=5\n");
  EXPECT_THAT(md.status().message(),
              HasSubstr("unknown metadata key 'timout'"));
}

TEST(MetadataTest, BadValuesAreErrors) {
  EXPECT_FALSE(ParseMetadata("# proctor: timeout=-1").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: timeout=0").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: where=moon").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: requires=gpu").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: requires=cmd:").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: requires=env:A-B").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: requires=env:1A").ok());
  EXPECT_TRUE(ParseMetadata("# proctor: requires=env:_A1").ok());
  EXPECT_FALSE(ParseMetadata("# proctor: tags").ok());
}

TEST(MetadataTest, JunitNamesAFileInsideOutputdir) {
  absl::StatusOr<Metadata> md = ParseMetadata("# proctor: junit=reports/a.xml");
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->junit, "reports/a.xml");
}

TEST(MetadataTest, JunitOutsideOutputdirIsAnError) {
  for (const char* bad : {"junit=/etc/passwd", "junit=../x.xml",
                          "junit=a/../../x.xml", "junit=a/.."}) {
    absl::StatusOr<Metadata> md =
        ParseMetadata(std::string("# proctor: ") + bad);
    EXPECT_FALSE(md.ok()) << bad;
  }
}

}  // namespace
}  // namespace proctor
