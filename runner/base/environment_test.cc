#include "runner/base/environment.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;

TEST(WithVariablesTest, ReplacesInheritedValuesWhereTheyStand) {
  EXPECT_THAT(
      WithVariables({"A=1", "TMPDIR=/tmp", "B=2"}, {{"TMPDIR", "/t/x"}}),
      ElementsAre("A=1", "TMPDIR=/t/x", "B=2"));
}

TEST(WithVariablesTest, AppendsNewOnes) {
  EXPECT_THAT(WithVariables({"A=1"}, {{"C", "3"}, {"D", ""}}),
              ElementsAre("A=1", "C=3", "D="));
}

TEST(WithVariablesTest, DropsLaterDuplicatesOfWhatItSets) {
  EXPECT_THAT(WithVariables({"X=a", "X=b", "Y=c"}, {{"X", "z"}}),
              ElementsAre("X=z", "Y=c"));
}

TEST(WithVariablesTest, MatchesWholeNamesOnly) {
  EXPECT_THAT(WithVariables({"DATAX=1", "DATA=2"}, {{"DATA", "3"}}),
              ElementsAre("DATAX=1", "DATA=3"));
}

}  // namespace
}  // namespace proctor
