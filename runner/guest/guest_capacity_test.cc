#include "runner/guest/guest_capacity.h"

#include "gtest/gtest.h"

namespace proctor {
namespace {

TEST(GuestsThatFitTest, AllWantedFitInPlentyOfMemory) {
  EXPECT_EQ(GuestsThatFit(4, 24000, 1024, false), 4);
}

TEST(GuestsThatFitTest, FewerWhenTheyDoNotFit) {
  // 512 reserved, 1280 a guest: three need 4352.
  EXPECT_EQ(GuestsNeedMb(3, 1024, false), 4352);
  EXPECT_EQ(GuestsThatFit(4, 4352, 1024, false), 3);
  EXPECT_EQ(GuestsThatFit(4, 4351, 1024, false), 2);
}

TEST(GuestsThatFitTest, FreshGuestsCountTheGuestsAheadAndTheSavedOne) {
  // One guest restores two ahead, two guests one each; and the saved
  // guest's RAM file.
  EXPECT_EQ(GuestsNeedMb(1, 1024, true), 3 * 1280 + 1024 + 512);
  EXPECT_EQ(GuestsNeedMb(2, 1024, true), 4 * 1280 + 1024 + 512);
  EXPECT_EQ(GuestsThatFit(2, 6655, 1024, true), 1);
}

TEST(SparesPerGuestTest, TwoRestoringAtOnceInAllAndAtLeastOneAGuest) {
  EXPECT_EQ(SparesPerGuest(1, true), 2);
  EXPECT_EQ(SparesPerGuest(2, true), 1);
  EXPECT_EQ(SparesPerGuest(4, true), 1);
  EXPECT_EQ(SparesPerGuest(4, false), 0);
}

TEST(GuestsThatFitTest, OneEvenWhenNoneFits) {
  EXPECT_EQ(GuestsThatFit(4, 100, 1024, false), 1);
}

TEST(GuestsThatFitTest, UnknownMemoryLimitsNothing) {
  EXPECT_EQ(GuestsThatFit(3, -1, 1024, true), 3);
}

TEST(ParseMemAvailableMbTest, ReadsTheLineInMiB) {
  EXPECT_EQ(ParseMemAvailableMb("MemTotal:       24570000 kB\n"
                                "MemFree:        1000 kB\n"
                                "MemAvailable:   24032044 kB\n"),
            23468);
}

TEST(ParseMemAvailableMbTest, AbsentIsUnknown) {
  EXPECT_EQ(ParseMemAvailableMb("MemTotal: 1000 kB\n"), -1);
}

}  // namespace
}  // namespace proctor
